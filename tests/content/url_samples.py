"""URL arguments for the content routes (read by tests/portal/test_access_matrix.py)."""

from advocacy.content import services
from advocacy.content.models import Origin
from advocacy.org.models import Role


def _draft(personas):
    return services.create_item(
        actor=personas[Role.ADVISER],
        origin=Origin.ADVISER_DRAFT,
        title="Matrix draft",
        category="market_news",
        language="fr",
        text="Un texte de test pour la matrice d'accès.",
    )


def _library_item(personas):
    return services.create_item(
        actor=personas[Role.MARKETING],
        origin=Origin.LIBRARY,
        title="Matrix item",
        category="corporate",
        language="fr",
        text="Un contenu de bibliothèque pour la matrice d'accès.",
        variants=[],
    )


SAMPLES: dict = {
    "content:draft_edit": lambda personas: {"pk": _draft(personas).pk},
    "content:item_detail": lambda personas: {"pk": _draft(personas).pk},
    "content:item_edit": lambda personas: {"pk": _library_item(personas).pk},
    "content:item_submit": lambda personas: {"pk": _draft(personas).pk},
}
