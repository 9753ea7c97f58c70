"""Scheduled analytics: recompute every customer's scores daily."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from guanxi.core.scheduling import periodic


@task()
def refresh_scores(triggered_by_id: int | None = None) -> int:
    """Recompute all scores; returns the run id."""
    from guanxi.analytics.services import analytics_refresh
    from guanxi.core.models import User

    actor = User.objects.filter(pk=triggered_by_id).first() if triggered_by_id else None
    return analytics_refresh(actor=actor).pk


periodic("analytics.refresh_scores", dt.timedelta(hours=24), refresh_scores)
