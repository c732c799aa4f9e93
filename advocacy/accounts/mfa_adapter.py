"""allauth MFA adapter: TOTP secrets and recovery-code seeds are encrypted at rest with the same keys
(``TOKEN_ENCRYPTION_KEYS``, rotatable) that protect network tokens. A database dump alone then cannot
mint second-factor codes."""

from allauth.mfa.adapter import DefaultMFAAdapter

from advocacy.networks import crypto


class RelaisMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text).reveal()
