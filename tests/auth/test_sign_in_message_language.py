import pytest
from django.contrib.messages import get_messages

from advocacy.org.models import Role
from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_the_signed_in_message_speaks_the_persons_language_not_the_browsers(client, make_staff, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    user = make_staff(Role.ADVISER, language="fr")
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Connexion" in t for t in texts), texts
