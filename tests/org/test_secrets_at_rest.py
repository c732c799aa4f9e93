import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from advocacy.org.models import Role


@pytest.mark.django_db
def test_totp_secrets_are_stored_encrypted_and_still_verify_codes(make_staff):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    officer = make_staff(Role.COMPLIANCE, branch=None)
    stored = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data["secret"]
    assert officer.totp_secret not in stored
    code = format_hotp_value(hotp_value(officer.totp_secret, next(iter(yield_hotp_counters_from_time()))))
    totp = TOTP(Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP))
    assert totp.validate_code(code)


@pytest.mark.django_db
def test_rotating_the_key_keeps_second_factors_working(settings, make_staff):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    officer = make_staff(Role.COMPLIANCE, branch=None)
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_token_key")
    settings.TOKEN_ENCRYPTION_KEYS = [new]  # the old key is gone
    code = format_hotp_value(hotp_value(officer.totp_secret, next(iter(yield_hotp_counters_from_time()))))
    totp = TOTP(Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP))
    assert totp.validate_code(code)
