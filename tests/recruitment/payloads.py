"""Webhook bodies shaped as the vendors send them, candidate's personal data included (it must be dropped)."""

from __future__ import annotations

import json


def greenhouse(
    action="new_candidate_application",
    *,
    application_id=9001,
    job="REQ-101",
    reference="",
    stage="Application Review",
    status="active",
    hired_at=None,
) -> bytes:
    application = {
        "id": application_id,
        "applied_at": "2026-11-30T09:15:00Z",
        "status": status,
        "current_stage": {"id": 77, "name": stage},
        "jobs": [{"id": 4242, "name": "Conseiller clientèle", "requisition_id": job}],
        "source": {"id": 12, "public_name": "Relais"},
        "custom_fields": {"relais_reference": reference},
        "candidate": {
            "id": 555,
            "first_name": "Zoé",
            "last_name": "Candidate",
            "email_addresses": [{"value": "zoe.candidate@example.org", "type": "personal"}],
            "phone_numbers": [{"value": "+33 6 12 34 56 78", "type": "mobile"}],
        },
    }
    if hired_at:
        application["hired_at"] = hired_at
    return json.dumps({"action": action, "payload": {"application": application}}).encode()


PERSONAL = ("Zoé", "zoe.candidate", "+33 6 12")
