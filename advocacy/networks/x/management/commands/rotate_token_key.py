"""Re-encrypt every stored secret under the first key of TOKEN_ENCRYPTION_KEYS (see crypto.py): X tokens,
and the TOTP secrets and recovery-code seeds that advocacy.accounts.mfa_adapter encrypts with the
same keys."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from advocacy.networks.crypto import TokenDecryptionError, reencrypt
from advocacy.networks.x.models import XAccount

# Fields of allauth's Authenticator.data that RelaisMFAAdapter encrypts.
MFA_SECRET_FIELDS = ("secret", "seed")

BATCH = 200


class Command(BaseCommand):
    help = "Re-encrypt stored X tokens with the first TOKEN_ENCRYPTION_KEYS key (run after adding a new key)."

    def handle(self, *args, **options):
        done = failed = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                # Row locks so that a token refresh storing a new pair meanwhile is not overwritten.
                rows = list(
                    XAccount.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", "access_token_encrypted", "refresh_token_encrypted")[:BATCH]
                )
                if not rows:
                    break
                for account in rows:
                    try:
                        account.access_token_encrypted = reencrypt(account.access_token_encrypted)
                        account.refresh_token_encrypted = reencrypt(account.refresh_token_encrypted)
                    except TokenDecryptionError:
                        failed += 1
                        self.stderr.write(f"account {account.pk}: no configured key decrypts its tokens")
                        continue
                    account.save(update_fields=["access_token_encrypted", "refresh_token_encrypted"])
                    done += 1
                last_pk = rows[-1].pk
        self.stdout.write(f"{done} account(s) re-encrypted, {failed} failed.")
        mfa_done, mfa_failed = self._rotate_second_factors()
        self.stdout.write(f"{mfa_done} second-factor secret(s) re-encrypted, {mfa_failed} failed.")
        failed += mfa_failed
        if failed:
            raise CommandError("Some tokens could not be decrypted: keep the old key until they are fixed.")

    def _rotate_second_factors(self) -> tuple[int, int]:
        from allauth.mfa.models import Authenticator

        done = failed = 0
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
                data = dict(authenticator.data)
                fields = [f for f in MFA_SECRET_FIELDS if isinstance(data.get(f), str) and data[f]]
                if not fields:
                    continue
                try:
                    for field in fields:
                        data[field] = reencrypt(data[field])
                except TokenDecryptionError:
                    failed += 1
                    self.stderr.write(f"authenticator {authenticator.pk}: no key decrypts its secret")
                    continue
                authenticator.data = data
                authenticator.save(update_fields=["data"])
                done += 1
        return done, failed
