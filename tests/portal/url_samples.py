"""URL arguments for this package's parametrised routes, read by the URL x role matrix test.

Each app's test package may hold a ``url_samples.py`` with ``SAMPLES = {url_name: factory}``; a factory
takes the personas dict and returns the URL kwargs, creating whatever object the route needs, owned by
the ``adviser`` persona where ownership matters. Object-level refusals answer 404, never 403, so that the
matrix reads 403 as "this role may not reach this route at all".
"""

SAMPLES: dict = {
    "account_reset_password_from_key": lambda personas: {"uidb36": "1", "key": "set-password"},
    "account_confirm_email": lambda personas: {"key": "not-a-key"},
    "mfa_remove_webauthn": lambda personas: {"pk": 1},
    "mfa_edit_webauthn": lambda personas: {"pk": 1},
    "openid_connect_login": lambda personas: {"provider_id": "corporate"},
    "openid_connect_callback": lambda personas: {"provider_id": "corporate"},
}
