"""Demo data for recognition (``manage.py seed_demo``): the three advisers of Paris Opéra have chosen to take
part (each person's own choice, as on the page's form), so the branch's monthly recognition has people to
rank once the demo's post metrics are read; nobody elsewhere takes part. Idempotent."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from advocacy.org.demo import DOMAIN
from advocacy.recognition.selectors import set_taking_part

TAKING_PART = ("adviser", "julie.girard", "antoine.roux")  # Paris Opéra's advisers


def seed_recognition() -> int:
    people = get_user_model().objects.filter(email__in=[f"{local}@{DOMAIN}" for local in TAKING_PART])
    for person in people:
        set_taking_part(person, True)
    return len(people)
