"""Periodic sales jobs: stale leads back to the pool, contract renewal reminders."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from guanxi.core.scheduling import periodic

LEAD_POOL_IDLE_DAYS = 30


@task()
def return_stale_leads_to_pool() -> dict[str, int]:
    """Leads with no activity for N days (GUANXI_LEAD_POOL_DAYS, default 30) go back to 公海."""
    from guanxi.sales.services import lead_pool_return_stale

    days = int(getattr(settings, "GUANXI_LEAD_POOL_DAYS", LEAD_POOL_IDLE_DAYS))
    return {"returned": lead_pool_return_stale(days=days)}


@task()
def remind_contract_renewals() -> dict[str, int]:
    """A reminder task for each contract whose renewal is within its reminder window."""
    from guanxi.sales.services import contract_remind_renewals

    return {"reminded": len(contract_remind_renewals())}


periodic("sales.return_stale_leads_to_pool", dt.timedelta(hours=6), return_stale_leads_to_pool)
periodic("sales.remind_contract_renewals", dt.timedelta(hours=12), remind_contract_renewals)
