"""Tokens at rest: encrypted, rotatable, never shown; production refuses to start without a key."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from advocacy.networks import crypto


def test_a_token_round_trips_and_the_ciphertext_does_not_contain_it(settings):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stored = crypto.encrypt("plain-access-token")
    assert "plain-access-token" not in stored
    assert crypto.decrypt(stored).reveal() == "plain-access-token"


def test_a_decrypted_token_never_shows_in_reprs_or_log_lines(settings, caplog):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    secret = crypto.decrypt(crypto.encrypt("plain-access-token"))
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("token %s %r", secret, secret)
    assert "plain-access-token" not in caplog.text
    assert "plain-access-token" not in f"{secret} {secret!r} {[secret]}"


def test_the_first_key_encrypts_and_every_key_decrypts_so_keys_can_rotate(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    stored = crypto.encrypt("t0ken")
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(stored).reveal() == "t0ken"
    rotated = crypto.reencrypt(stored)
    settings.TOKEN_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated).reveal() == "t0ken"
    with pytest.raises(crypto.TokenDecryptionError):
        crypto.decrypt(stored)


def test_without_a_key_debug_derives_one_from_the_secret_key_and_warns(settings, caplog):
    settings.TOKEN_ENCRYPTION_KEYS = []
    settings.DEBUG = True
    with caplog.at_level(logging.WARNING, logger="advocacy.networks.crypto"):
        stored = crypto.encrypt("t0ken")
        crypto.encrypt("again")
    assert crypto.decrypt(stored).reveal() == "t0ken"
    assert caplog.text.count("TOKEN_ENCRYPTION_KEYS is not set") == 1


def test_production_without_a_key_refuses_to_encrypt_and_the_deploy_check_reports_it(settings):
    settings.TOKEN_ENCRYPTION_KEYS = []
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("t0ken")
    with pytest.raises(SystemCheckError, match=r"relais\.E001"):
        call_command("check", "--deploy", "--tag", "security")


def test_a_malformed_key_is_reported_by_the_check(settings):
    settings.TOKEN_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(SystemCheckError, match=r"relais\.E002"):
        call_command("check", "--tag", "security")


@pytest.mark.django_db
def test_rotate_token_key_reencrypts_every_stored_token_under_the_new_key(
    settings, sandbox, adviser, connect
):
    from advocacy.networks.x.models import XAccount

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    account = connect(adviser, "rotating_x")
    plain = crypto.decrypt(account.access_token_encrypted).reveal()
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_token_key")
    settings.TOKEN_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(XAccount.objects.get(pk=account.pk).access_token_encrypted).reveal() == plain
