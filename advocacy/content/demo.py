"""Demo content for ``manage.py seed_demo``: an approved library (French and English, several categories,
one item with four variants, one template), one expired item, one adviser draft, one item waiting in the
review queue, and job offers written by HR (``seed_job_offers``).

Everything goes through the real services and workflow (automatic checks, four eyes, archive), authored by
marketing (job offers by HR) and approved by compliance. Idempotent: an item whose title already exists is
left alone, and a job offer whose reference exists.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from advocacy.content import services, workflow
from advocacy.content.models import ComplianceSettings, ContentItem, ItemStatus, JobOffer, Origin
from advocacy.org.demo import DOMAIN

User = get_user_model()
SITE = "https://www.banque-exemple.fr"
RISK_FR = "Investir comporte un risque de perte en capital."

LIBRARY = [
    {
        "title": "Taux immobiliers du mois",
        "category": "market_news",
        "language": "fr",
        "text": "Les taux des crédits immobiliers ont reculé ce mois-ci. Un projet en tête ? Parlons-en.",
        "variants": [
            "Crédit immobilier : les taux baissent ce mois-ci. Prenons le temps d'en parler.",
            "Bonne nouvelle pour les projets immobiliers : les taux reculent ce mois-ci.",
            "Vous pensez à acheter ? Les taux immobiliers sont plus doux ce mois-ci.",
            "Ce mois-ci, les taux des prêts immobiliers sont en baisse : faisons le point ensemble.",
        ],
        "label": "#PUB",
        "link_url": f"{SITE}/immobilier",
        "guidance_html": "<p>Partagez en semaine, <strong>de préférence le matin</strong>.</p>",
    },
    {
        "title": "Livret Avenir",
        "category": "product",
        "language": "fr",
        "text": "Le Livret Avenir vous aide à mettre de côté à votre rythme, avec des versements libres.",
        "disclosure": RISK_FR,
        "label": "#PUB",
        "link_url": f"{SITE}/epargne",
    },
    {
        "title": "Volunteering day",
        "category": "corporate",
        "language": "en",
        "text": "Our teams spent the day volunteering with local food banks. Proud of everyone involved!",
    },
    {
        "title": "Conférence marchés à Paris",
        "category": "event",
        "language": "fr",
        "text": "Jeudi soir, nos économistes présentent les perspectives de marché à l'agence Paris Opéra. "
        "Places limitées, inscription en agence.",
    },
    {
        "title": "Votre conseiller près de chez vous",
        "category": "corporate",
        "language": "fr",
        "text": "Bonjour, je suis {first_name}, votre conseiller à {branch_city}. "
        "Je suis disponible pour faire le point sur vos projets.",
    },
    {
        "title": "Markets this week",
        "category": "market_news",
        "language": "en",
        "text": "Central banks held rates steady this week. "
        "Our weekly note explains what it means for savers.",
        "label": "#MarketingCommunication",
    },
    {
        "title": "Agences ouvertes le samedi",
        "category": "corporate",
        "language": "fr",
        "text": "Nos agences d'Île-de-France vous accueillent désormais le samedi matin.",
        "audience_whole_bank": False,
        "region_codes": ["IDF"],
    },
]
# Job offers, written by HR (the demo's Nadia Benali) and approved by compliance; no audience role, so every
# member of staff sees and may relay them. Closing dates are relative to the day the demo is seeded.
JOB_OFFERS = [
    {
        "title": "Offre d'emploi : conseiller clientèle à Lyon",
        "category": "recruitment",
        "language": "fr",
        "text": "Nous recrutons un conseiller clientèle (H/F) pour notre agence de Lyon Bellecour. "
        "Envie de nous rejoindre ?",
        "variants": [
            "Notre agence de Lyon Bellecour recrute un conseiller clientèle (H/F) en CDI. "
            "Pourquoi pas vous ?",
            "Conseiller clientèle (H/F) à Lyon Bellecour : un CDI vous attend. Postulez en ligne !",
        ],
        "link_url": f"{SITE}/carrieres/REQ-2026-014",  # the sandbox's apply page when it runs (_apply_url)
        "job_reference": "REQ-2026-014",
        "place": "LYO01",
        "contract_type": "permanent",
        "closes_in_days": 45,
        "guidance_html": "<p>Partagez à votre réseau : chaque candidature venue de votre lien vous est "
        "attribuée.</p>",
    },
    {
        "title": "Alternance : chargé d'accueil à Paris",
        "category": "recruitment",
        "language": "fr",
        "text": "Alternance 2027 : notre agence Paris Opéra accueille un chargé d'accueil (H/F). "
        "Rejoignez une équipe qui vous forme !",
        "variants": [
            "Étudiant(e) ? Préparez votre diplôme en alternance à l'agence Paris Opéra, "
            "comme chargé d'accueil.",
        ],
        "link_url": f"{SITE}/carrieres/REQ-2026-021",
        "job_reference": "REQ-2026-021",
        "place": "PAR01",
        "contract_type": "apprenticeship",
        "closes_in_days": 60,
    },
]
EXPIRED = {
    "title": "Salon de l'immobilier (terminé)",
    "category": "event",
    "language": "fr",
    "text": "Retrouvez-nous au salon de l'immobilier ce week-end, stand 12.",
}
DRAFT = {
    "title": "Mon conseil épargne de la semaine",
    "category": "market_news",
    "language": "fr",
    "text": "Avant l'été, pensez à votre épargne de précaution : "
    "trois mois de dépenses, c'est un bon repère. #PUB",
}

# Submitted by marketing and left waiting for compliance: the review queue and compliance's figures (queue
# age against its target) have a version to show while the demo runs, its age growing by the minute.
WAITING = {
    "title": "Épargne de précaution : le bon repère",
    "category": "market_news",
    "language": "fr",
    "text": "Trois mois de dépenses de côté : c'est le repère d'une épargne de précaution. Faisons le point.",
    "label": "#PUB",
    "link_url": f"{SITE}/epargne",
}


def _user(local: str):
    return User.objects.get(email=f"{local}@{DOMAIN}")


def _approve(item: ContentItem, reviewers) -> None:
    version = workflow.submit_for_review(version=item.current_version, actor=item.author)
    for reviewer in reviewers:
        acks = [f["id"] for f in workflow.findings_to_acknowledge(version.findings)]
        decision = workflow.approve_version(
            version=version, reviewer=reviewer, comment="Demo", acknowledged_finding_ids=acks
        )
        if decision.final:
            return


def _create(author, origin: str, spec: dict) -> ContentItem | None:
    if ContentItem.objects.filter(title=spec["title"], origin=origin).exists():
        return None
    fields = {k: v for k, v in spec.items() if k != "region_codes"}
    if "region_codes" in spec:
        from advocacy.org.models import Region

        fields["audience_regions"] = list(Region.objects.filter(code__in=spec["region_codes"]))
    if origin == Origin.LIBRARY:
        fields.setdefault("variants", [])
    return services.create_item(actor=author, origin=origin, **fields)


def _apply_url(spec: dict) -> str:
    """The offer's apply page: the X sandbox's ``/apply/<job reference>`` (standing in for the bank's ATS,
    it shows the parameters a click brought) when the demo runs against a sandbox, else the careers site.
    The sandbox's host joins compliance's allowed link domains, as the bank would allow its ATS's host."""
    base = settings.X_API_BASE_URL.rstrip("/")
    if base.startswith(("https://api.x.com", "https://api.twitter.com")):
        return spec["link_url"]
    host = urlsplit(base).hostname or ""
    compliance = ComplianceSettings.current()
    if host and host not in compliance.allowed_domains:
        compliance.allowed_domains = [*compliance.allowed_domains, host]
        compliance.save(update_fields=["allowed_domains"])
    return f"{base}/apply/{spec['job_reference']}"


def seed_job_offers() -> list[JobOffer]:
    """The demo's approved job offers (``JOB_OFFERS``), written by HR through the library editor's service
    and approved by compliance (four eyes). Idempotent by job reference; returns every demo offer, for the
    recruitment demo to script sharers and applications on."""
    hr = _user("hr")
    reviewers = [_user("compliance2"), _user("compliance")]
    offers = []
    for spec in JOB_OFFERS:
        offer = JobOffer.objects.filter(job_reference=spec["job_reference"]).select_related("item").first()
        if offer is None:
            fields = {k: v for k, v in spec.items() if k != "closes_in_days"}
            fields["closes_on"] = timezone.localdate() + timedelta(days=spec["closes_in_days"])
            fields["link_url"] = _apply_url(spec)
            item = services.create_item(actor=hr, origin=Origin.LIBRARY, **fields)
            _approve(item, reviewers)
            offer = JobOffer.objects.select_related("item").get(item=item)
        offers.append(offer)
    return offers


def seed_content() -> dict[str, int]:
    marketing, adviser = _user("marketing"), _user("adviser")
    reviewers = [_user("compliance2"), _user("compliance")]
    created = {"approved": 0, "expired": 0, "drafts": 0}
    for spec in LIBRARY:
        item = _create(marketing, Origin.LIBRARY, spec)
        if item is not None:
            _approve(item, reviewers)
            created["approved"] += 1
    item = _create(marketing, Origin.LIBRARY, {**EXPIRED, "expires_at": timezone.now() + timedelta(hours=1)})
    if item is not None:
        _approve(item, reviewers)
        ContentItem.objects.filter(pk=item.pk).update(expires_at=timezone.now() - timedelta(days=1))
        workflow.expire_item(item=item)
        created["expired"] += 1
    if _create(adviser, Origin.ADVISER_DRAFT, DRAFT) is not None:
        created["drafts"] += 1
    waiting = _create(marketing, Origin.LIBRARY, WAITING)
    if waiting is not None:
        workflow.submit_for_review(version=waiting.current_version, actor=marketing)
        created["waiting"] = 1
    created["job_offers"] = len(seed_job_offers())
    assert ContentItem.objects.filter(status=ItemStatus.APPROVED).exists()
    return created
