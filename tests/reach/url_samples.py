"""URL arguments for the recruitment reach routes (read by tests/portal/test_access_matrix.py): a job offer
(HR and managers get its page; everyone else 403), and the per-employee CSV (HR only: managers get 404)."""

from __future__ import annotations

import datetime as dt


def _offer(personas):
    from advocacy.content.models import ContentItem, ContentVersion, JobOffer

    existing = JobOffer.objects.filter(job_reference="REQ-SAMPLE").first()
    if existing is not None:
        return {"pk": existing.pk}
    item = ContentItem.objects.create(
        title="Conseiller clientèle",
        category="recruitment",
        origin="library",
        author=personas["marketing"],
        status="approved",
    )
    version = ContentVersion.objects.create(
        item=item,
        number=1,
        text="Nous recrutons.",
        link_url="https://jobs.banque-test.fr/1",
        created_by=personas["marketing"],
        status="approved",
    )
    item.current_version = version
    item.save(update_fields=["current_version"])
    offer = JobOffer.objects.create(
        item=item,
        job_reference="REQ-SAMPLE",
        place="Lille",
        contract_type="permanent",
        closes_on=dt.date.today() + dt.timedelta(days=30),
    )
    return {"pk": offer.pk}


def _table(personas):
    return {**_offer(personas), "table": "employees"}


SAMPLES: dict = {
    "reach:offer": _offer,
    "reach:offer_csv": _table,
}
