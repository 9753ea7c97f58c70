"""Leads: scoring, the pool, conversion with duplicate check, the web form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from guanxi.core.errors import Conflict, PermissionDenied
from guanxi.core.models import AuditEntry
from guanxi.customers.models import Account, Activity, Contact
from guanxi.customers.services import account_create
from guanxi.sales import services, tasks
from guanxi.sales.events import LeadConverted
from guanxi.sales.models import Lead, Opportunity, StageChange


def test_score_rises_with_completeness_engagement_and_a_better_source(org):
    rep = org["rep"]
    bare = services.lead_create(actor=rep, name="甲", source="other")
    full = services.lead_create(
        actor=rep, name="乙", company="公司", title="经理", email="b@x.cn", mobile="13800000000",
        region="华东", source="referral",
    )  # fmt: skip
    assert 0 < bare.score < full.score <= 100
    before = full.score
    full = services.lead_log_interaction(actor=rep, lead=full, note="电话")
    assert full.score > before and full.engagement_count == 1


def test_only_admins_edit_score_weights_and_leads_are_rescored(org):
    lead = services.lead_create(actor=org["rep"], name="甲", source="event")
    with pytest.raises(PermissionDenied):
        services.lead_score_weights_update(
            actor=org["lead"], completeness=0, engagement=0, source=100
        )
    services.lead_score_weights_update(
        actor=org["admin"], completeness=0, engagement=0, source=100, source_points={"event": 50}
    )
    assert Lead.objects.get(pk=lead.pk).score == 50


def test_a_pool_lead_is_claimed_once_and_then_belongs_to_the_rep(org):
    lead = services.lead_create(actor=org["admin"], name="公海线索", in_pool=True)
    # Any rep sees the pool, even of another team.
    from guanxi.sales.selectors import lead_list

    assert lead_list(actor=org["stranger"], pool=True).filter(pk=lead.pk).exists()
    claimed = services.lead_claim(actor=org["rep"], lead=lead)
    assert (claimed.owner_id, claimed.team_id, claimed.in_pool) == (
        org["rep"].pk, org["east"].pk, False,
    )  # fmt: skip
    with pytest.raises(Conflict):
        services.lead_claim(actor=org["stranger"], lead=lead)
    assert not lead_list(actor=org["stranger"]).filter(pk=lead.pk).exists()


def test_admins_and_analysts_see_every_lead_not_only_the_pool(org):
    from guanxi.sales.selectors import lead_list

    mine = services.lead_create(actor=org["rep"], name="东区")
    pooled = services.lead_create(actor=org["stranger"], name="公海", in_pool=True)
    for who in ("admin", "analyst"):
        assert set(lead_list(actor=org[who]).values_list("pk", flat=True)) == {mine.pk, pooled.pk}
    assert set(lead_list(actor=org["rep2"]).values_list("pk", flat=True)) == {mine.pk, pooled.pk}
    assert set(lead_list(actor=org["stranger"]).values_list("pk", flat=True)) == {pooled.pk}


def test_reps_change_only_their_own_leads(org):
    lead = services.lead_create(actor=org["rep"], name="我的")
    with pytest.raises(PermissionDenied):
        services.lead_update(
            actor=org["rep2"], lead=lead, changes={"name": "改"}, expected_version=None
        )
    services.lead_update(
        actor=org["lead"], lead=lead, changes={"name": "经理改"}, expected_version=None
    )
    assert Lead.objects.get(pk=lead.pk).name == "经理改"


def test_idle_leads_go_back_to_the_pool_by_the_periodic_job(org, settings):
    settings.GUANXI_LEAD_POOL_DAYS = 10
    old = services.lead_create(actor=org["rep"], name="旧")
    fresh = services.lead_create(actor=org["rep"], name="新")
    Lead.objects.filter(pk=old.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=11))
    result = tasks.return_stale_leads_to_pool.call()
    assert result == {"returned": 1}
    assert Lead.objects.get(pk=old.pk).in_pool and not Lead.objects.get(pk=fresh.pk).in_pool
    assert AuditEntry.objects.filter(action="pool_return", object_id=str(old.pk)).exists()
    from guanxi.core.scheduling import jobs

    assert "sales.return_stale_leads_to_pool" in {j.name for j in jobs()}


def test_conversion_creates_account_contact_and_opportunity_in_one_step(
    org, django_capture_on_commit_callbacks
):
    from guanxi.core.events import subscribe

    seen: list[LeadConverted] = []
    subscribe(LeadConverted)(seen.append)
    lead = services.lead_create(
        actor=org["rep"], name="李雷", company="韩梅梅贸易", email="li@hmm.cn", mobile="13912345678"
    )
    with django_capture_on_commit_callbacks(execute=True):
        account, opp = services.lead_convert(
            actor=org["rep"], lead=lead, amount=Decimal("5000"), opportunity_name="首单"
        )
    assert account.name == "韩梅梅贸易" and account.owner_id == org["rep"].pk
    assert Contact.objects.filter(account=account, name="李雷").exists()
    assert opp is not None and opp.amount == Decimal("5000") and opp.lead_id == lead.pk
    assert StageChange.objects.filter(opportunity=opp).count() == 1
    lead.refresh_from_db()
    assert lead.status == "converted" and lead.converted_account_id == account.pk
    assert seen and seen[-1].lead_id == lead.pk and seen[-1].opportunity_id == opp.pk


def test_conversion_refuses_a_likely_duplicate_until_the_rep_chooses(org):
    existing = account_create(actor=org["rep"], name="韩梅梅贸易", email="info@hmm.cn")
    lead = services.lead_create(actor=org["rep"], name="李雷", company="韩梅梅贸易")
    with pytest.raises(Conflict) as exc:
        services.lead_convert(actor=org["rep"], lead=lead)
    assert "account_id" in exc.value.fields
    assert Account.objects.count() == 1 and not Opportunity.objects.exists()
    account, _opp = services.lead_convert(actor=org["rep"], lead=lead, account_id=existing.pk)
    assert account.pk == existing.pk and Account.objects.count() == 1


def test_web_form_creates_a_pool_lead_and_guards_against_bots(org, client):
    cache.clear()
    from guanxi.sales.forms import WebLeadForm

    page = client.get("/sales/web-to-lead/")
    assert page.status_code == 200 and "X-Frame-Options" not in page
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    data = {"name": "访客", "email": "v@example.cn", "company": "访客公司", "website": ""}
    # Too fast: silently dropped.
    data["ts"] = WebLeadForm.stamp()
    assert client.post("/sales/web-to-lead/", data).status_code == 200
    assert not Lead.objects.exists()
    # The honeypot is filled: silently dropped.
    import time

    from django.core import signing

    data["ts"] = signing.dumps(time.time() - 10, salt="sales.web-lead")
    assert client.post("/sales/web-to-lead/", {**data, "website": "http://spam"}).status_code == 200
    assert not Lead.objects.exists()
    response = client.post("/sales/web-to-lead/", data)
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.in_pool, lead.source, lead.name) == (True, "web", "访客")
    # Missing contact details: a per-field message.
    bad = client.post("/sales/web-to-lead/", {**data, "email": ""})
    assert bad.status_code == 422
    # Rate limit per IP.
    statuses = [client.post("/sales/web-to-lead/", data).status_code for _ in range(5)]
    assert statuses[-1] == 429
    cache.clear()


def test_contract_renewal_reminder_creates_a_task_once(org, account):
    contract = services.contract_create(
        actor=org["rep"],
        account=account,
        title="年度合同",
        start_date=dt.date.today() - dt.timedelta(days=300),
        end_date=dt.date.today() + dt.timedelta(days=20),
        value=Decimal("120000"),
        remind_days_before=30,
    )
    assert services.contract_remind_renewals() == [contract.pk]
    assert services.contract_remind_renewals() == []
    task = Activity.objects.get(account=account, kind="task")
    assert contract.number in task.subject and task.assignee_id == org["rep"].pk
