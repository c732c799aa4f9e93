"""OAuth 2.0 authorization code + PKCE, token rotation and revocation, against the sandbox."""

import base64
import hashlib
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import tweepy

from advocacy.xsandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

REDIRECT = "https://relais.example/x/callback"
SCOPES = "tweet.read tweet.write users.read offline.access"
TOKEN_URL = "https://api.twitter.com/2/oauth2/token"
AUTH_URL = "https://twitter.com/i/oauth2/authorize"
BASIC = (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _params(challenge: str, **extra) -> dict:
    params = {
        "response_type": "code",
        "client_id": DEFAULT_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": SCOPES,
        "state": "st-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture
def browser(mount):
    return mount(requests.Session())


def _authorize(browser, username="alice", **extra):
    """Run the consent page for ``username``; return (verifier, code)."""
    verifier = secrets.token_urlsafe(64)
    params = _params(_challenge(verifier), **extra)
    page = browser.get(AUTH_URL, params=params)
    assert page.status_code == 200
    resp = browser.post(AUTH_URL, data={**params, "username": username}, allow_redirects=False)
    assert resp.status_code == 302
    query = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert query["state"] == ["st-123"]
    return verifier, query["code"][0]


def _exchange(browser, code, verifier, **extra):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        "client_id": DEFAULT_CLIENT_ID,
        **extra,
    }
    return browser.post(TOKEN_URL, data=data, auth=BASIC)


def _refresh(browser, refresh_token):
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": DEFAULT_CLIENT_ID}
    return browser.post(TOKEN_URL, data=data)


def test_full_flow_with_tweepy_oauth2_handler(sandbox, mount, x_client):
    handler = tweepy.OAuth2UserHandler(
        client_id=DEFAULT_CLIENT_ID,
        redirect_uri=REDIRECT,
        scope=SCOPES.split(),
        client_secret=DEFAULT_CLIENT_SECRET,
    )
    mount(handler)
    auth_url = handler.get_authorization_url()
    browser = mount(requests.Session())
    page = browser.get(auth_url)
    assert page.status_code == 200
    assert "Authorize app" in page.text and "offline.access" in page.text
    assert "<link" not in page.text and "<script" not in page.text  # no external assets

    params = {k: v[0] for k, v in parse_qs(urlsplit(auth_url).query).items()}
    resp = browser.post(AUTH_URL, data={**params, "username": "new_user"}, allow_redirects=False)
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    assert parse_qs(urlsplit(location).query)["state"] == [params["state"]]

    token = handler.fetch_token(location)
    assert token["token_type"].lower() == "bearer"
    assert token["expires_in"] == 7200
    assert set(token["scope"]) == set(SCOPES.split())
    assert token["refresh_token"]

    me = x_client(token["access_token"]).get_me(user_auth=False)
    assert me.data.username == "new_user"
    assert sandbox.state.find_user("new_user") is not None


def test_authorize_page_lists_users_and_escapes(sandbox, browser):
    sandbox.state.add_user("eve", name="<script>alert(1)</script>")
    page = browser.get(AUTH_URL, params=_params("c" * 43))
    assert page.status_code == 200
    assert "@eve" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    for key in ("code_challenge", "redirect_uri", "state"):
        assert f'name="{key}"' in page.text  # kept as hidden inputs


@pytest.mark.parametrize(
    "extra",
    [
        {"code_challenge": None},
        {"code_challenge_method": None},
        {"code_challenge_method": "plain"},
        {"client_id": "someone-else"},
        {"response_type": "token"},
        {"redirect_uri": "not a url"},
    ],
)
def test_authorize_rejects_bad_requests(browser, extra):
    params = _params("c" * 43, **extra)
    assert browser.get(AUTH_URL, params=params).status_code == 400
    resp = browser.post(AUTH_URL, data={**params, "username": "alice"}, allow_redirects=False)
    assert resp.status_code == 400


def test_cancel_redirects_with_access_denied(browser):
    params = _params("c" * 43)
    resp = browser.post(AUTH_URL, data={**params, "action": "cancel"}, allow_redirects=False)
    assert resp.status_code == 302
    query = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert query == {"state": ["st-123"], "error": ["access_denied"]}


def test_invalid_username_rerenders_page(browser):
    params = _params("c" * 43)
    resp = browser.post(AUTH_URL, data={**params, "username": "no spaces!"}, allow_redirects=False)
    assert resp.status_code == 400
    assert "username must be" in resp.text


def test_redirect_uri_with_query_is_extended(browser):
    verifier = secrets.token_urlsafe(64)
    params = _params(_challenge(verifier), redirect_uri=REDIRECT + "?tenant=7")
    resp = browser.post(AUTH_URL, data={**params, "username": "alice"}, allow_redirects=False)
    query = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert query["tenant"] == ["7"] and query["code"]


def test_wrong_verifier_refused_and_code_burned(browser):
    verifier, code = _authorize(browser)
    resp = _exchange(browser, code, secrets.token_urlsafe(64))
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request"
    assert _exchange(browser, code, verifier).status_code == 400  # the code was single-use


def test_code_reuse_refused_and_revokes_tokens(browser, x_client):
    verifier, code = _authorize(browser)
    first = _exchange(browser, code, verifier)
    assert first.status_code == 200
    body = first.json()
    assert list(body) == ["token_type", "expires_in", "access_token", "scope", "refresh_token"]
    assert body["token_type"] == "bearer"
    client = x_client(body["access_token"])
    assert client.get_me(user_auth=False).data.username == "alice"

    second = _exchange(browser, code, verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_request"
    with pytest.raises(tweepy.Unauthorized):
        client.get_me(user_auth=False)


def test_redirect_uri_mismatch_refused(browser):
    verifier, code = _authorize(browser)
    assert _exchange(browser, code, verifier, redirect_uri="https://evil.example/cb").status_code == 400


def test_code_expires_after_ten_minutes(sandbox, browser):
    verifier, code = _authorize(browser)
    sandbox.state.clock = lambda: time.time() + 601
    assert _exchange(browser, code, verifier).status_code == 400


def test_no_refresh_token_without_offline_access(browser):
    verifier, code = _authorize(browser, scope="tweet.read users.read")
    body = _exchange(browser, code, verifier).json()
    assert "refresh_token" not in body
    assert body["scope"] == "tweet.read users.read"


def test_client_authentication(browser):
    verifier, code = _authorize(browser)
    bad = browser.post(
        TOKEN_URL,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=(DEFAULT_CLIENT_ID, "wrong-secret"),
    )
    assert bad.status_code == 401
    assert bad.json()["error"] == "unauthorized_client"
    nobody = browser.post(TOKEN_URL, data={"grant_type": "authorization_code", "code": code})
    assert nobody.status_code == 401
    # Public client: client_id in the body, no secret.
    verifier, code = _authorize(browser)
    public = browser.post(
        TOKEN_URL,
        data=urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
                "client_id": DEFAULT_CLIENT_ID,
            }
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert public.status_code == 200


def test_refresh_rotation_and_reuse_detection(sandbox, browser, x_client, alice):
    first = _refresh(browser, alice["refresh"])
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != alice["refresh"]
    assert str(x_client(rotated["access_token"]).get_me(user_auth=False).data.id) == alice["id"]

    second = _refresh(browser, rotated["refresh_token"])
    assert second.status_code == 200
    latest = second.json()

    # Replaying an already-used refresh token: refused, and the whole family is revoked.
    replay = _refresh(browser, alice["refresh"])
    assert replay.status_code == 400
    assert replay.json() == {
        "error": "invalid_request",
        "error_description": replay.json()["error_description"],
    }
    for access in (alice["token"], rotated["access_token"], latest["access_token"]):
        with pytest.raises(tweepy.Unauthorized):
            x_client(access).get_me(user_auth=False)
    assert _refresh(browser, latest["refresh_token"]).status_code == 400


def test_unknown_refresh_token_and_grant(browser):
    assert _refresh(browser, "nope").status_code == 400
    resp = browser.post(TOKEN_URL, data={"grant_type": "password", "client_id": DEFAULT_CLIENT_ID})
    assert resp.status_code == 400


def test_revoke_endpoint(browser, x_client, alice):
    resp = browser.post(
        "https://api.twitter.com/2/oauth2/revoke",
        data={"token": alice["token"], "token_type_hint": "access_token", "client_id": DEFAULT_CLIENT_ID},
    )
    assert resp.status_code == 200
    assert resp.json() == {"revoked": True}
    with pytest.raises(tweepy.Unauthorized):
        x_client(alice["token"]).get_me(user_auth=False)
    # Revoking a refresh token kills its family.
    new = _refresh(browser, alice["refresh"]).json()
    browser.post("https://api.twitter.com/2/oauth2/revoke", data={"token": new["refresh_token"]}, auth=BASIC)
    with pytest.raises(tweepy.Unauthorized):
        x_client(new["access_token"]).get_me(user_auth=False)


def test_user_revokes_app(sandbox, browser, x_client, alice):
    resp = requests.post(f"{sandbox.url}/_sandbox/revoke_user_tokens", json={"user": "alice"}, timeout=5)
    assert resp.status_code == 200 and resp.json()["revoked"] == 2
    with pytest.raises(tweepy.Unauthorized) as info:
        x_client(alice["token"]).get_me(user_auth=False)
    assert info.value.response.json() == {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }
    assert _refresh(browser, alice["refresh"]).status_code == 400


def test_expired_access_token_then_refresh(sandbox, browser, x_client, alice):
    requests.post(f"{sandbox.url}/_sandbox/expire_tokens", json={"user": "alice"}, timeout=5)
    with pytest.raises(tweepy.Unauthorized):
        x_client(alice["token"]).get_me(user_auth=False)
    fresh = _refresh(browser, alice["refresh"]).json()
    assert x_client(fresh["access_token"]).get_me(user_auth=False).data.username == "alice"
