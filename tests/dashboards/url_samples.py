"""URL arguments for the dashboards' routes (read by tests/portal/test_access_matrix.py): the persona
adviser for the managers' drill-down (in the branch manager's scope; outside the regional manager's, who
gets 404: an answer, not a refusal), and a campaign for marketing's breakdown."""

from __future__ import annotations

from tests.campaigns.url_samples import _campaign


def _adviser(personas):
    return {"user_id": personas["adviser"].pk}


SAMPLES: dict = {
    "dashboards:team_adviser": _adviser,
    "dashboards:team_adviser_csv": _adviser,
    "dashboards:campaign": _campaign,
    "dashboards:campaign_csv": _campaign,
}
