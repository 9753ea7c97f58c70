"""Scores from Guanxi's own orders, written onto every customer; lifecycle rule; API and page."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from guanxi.analytics.models import ScoreRun
from guanxi.analytics.services import analytics_refresh
from guanxi.customers.models import Account, CustomerScore, LifecycleChange
from guanxi.customers.services import account_create
from guanxi.sales.models import Order

ZONE = ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2026, 6, 30)


def _orders(
    account: Account, days: list[int], amount: str = "100.00", status: str = "paid"
) -> list[Order]:
    """Orders `days` days before AS_OF (bulk: test data, not a sales workflow)."""
    rows = []
    for n, back in enumerate(days):
        placed = dt.datetime.combine(AS_OF - dt.timedelta(days=back), dt.time(10), tzinfo=ZONE)
        rows.append(
            Order(
                number=f"T{account.pk}-{n}",
                account=account,
                owner_id=account.owner_id,
                team_id=account.team_id,
                status=status,
                placed_at=placed,
                paid_at=placed,
                currency="CNY",
                subtotal=Decimal(amount),
                total=Decimal(amount),
                paid_amount=Decimal(amount),
            )
        )
    return Order.objects.bulk_create(rows)


@pytest.fixture
def book(make_user):
    """60 customers of two reps: steady buyers, one-off buyers and lapsed regulars."""
    rng = random.Random(7)
    east, west = make_user("sales"), make_user("sales")
    accounts: dict[str, list[Account]] = {"steady": [], "once": [], "lapsed": []}
    for i in range(60):
        owner = east if i % 2 == 0 else west
        kind = ("steady", "once", "lapsed")[i % 3]
        account = account_create(actor=owner, name=f"客户{i:02d}", kind="organization")
        Account.objects.filter(pk=account.pk).update(lifecycle_stage="active")
        if kind == "steady":
            days = sorted({rng.randint(1, 700) for _ in range(rng.randint(8, 16))})
        elif kind == "once":
            days = [rng.randint(30, 600)]
        else:
            days = sorted({rng.randint(500, 720) for _ in range(rng.randint(5, 9))})
        _orders(account, days, amount=f"{rng.randint(50, 900)}.00")
        accounts[kind].append(account)
    Order.objects.filter(number=f"T{accounts['steady'][0].pk}-0").update(status="cancelled")
    return {"east": east, "west": west, **accounts}


def test_refresh_scores_every_buyer_and_records_the_fits_and_holdout_auc(book):
    run = analytics_refresh(actor=None, as_of=AS_OF)
    assert run.status == ScoreRun.Status.DONE, run.error
    assert run.customers == 60 == CustomerScore.objects.count()
    assert set(run.fits) == {"bgnbd", "pareto_nbd", "gamma_gamma"}
    assert 0.0 <= run.churn_auc["pareto_nbd_risk"] <= 1.0
    assert sum(run.segments.values()) == 60
    score = CustomerScore.objects.get(account=book["steady"][0])
    assert score.rfm_segment and score.r_score in range(1, 6)
    assert score.clv is not None and score.clv >= 0
    assert score.churn_risk is not None
    assert 0.0 <= score.churn_risk <= 1.0
    assert score.risk_band in {"low", "medium", "high"}
    assert score.churn_reason_zh and score.churn_reason_en
    assert score.computed_at is not None


def test_lapsed_regulars_rank_riskier_than_steady_buyers(book):
    analytics_refresh(actor=None, as_of=AS_OF)

    def mean_risk(group: str) -> float:
        ids = [a.pk for a in book[group]]
        qs = CustomerScore.objects.filter(account_id__in=ids)
        risks = [r or 0.0 for r in qs.values_list("churn_risk", flat=True)]
        return sum(risks) / len(risks)

    assert mean_risk("lapsed") > mean_risk("steady") + 0.2


def test_the_lifecycle_rule_moves_lapsed_buyers_and_keeps_the_history(book):
    run = analytics_refresh(actor=None, as_of=AS_OF)
    moved = run.lifecycle_moves["churned"] + run.lifecycle_moves["at_risk"]
    assert moved > 0
    stages = set(
        Account.objects.filter(pk__in=[a.pk for a in book["lapsed"]]).values_list(
            "lifecycle_stage", flat=True
        )
    )
    assert stages & {"at_risk", "churned"}
    change = LifecycleChange.objects.filter(source="rule").first()
    assert change is not None and change.actor is None and "churn risk" in change.reason
    # Running again moves nobody twice.
    again = analytics_refresh(actor=None, as_of=AS_OF)
    assert again.lifecycle_moves["churned"] == 0 and again.lifecycle_moves["at_risk"] == 0


def test_a_book_without_orders_gives_an_empty_run_not_an_error(db):
    run = analytics_refresh(actor=None, as_of=AS_OF)
    assert run.status == ScoreRun.Status.EMPTY
    assert CustomerScore.objects.count() == 0


def test_refresh_through_the_api_needs_the_change_permission(book, make_user, api_as):
    assert api_as(book["east"]).post("/analytics/refresh").status_code == 403
    analyst = api_as(make_user("analyst"))
    assert analyst.post("/analytics/refresh").status_code == 202
    latest = analyst.get("/analytics/runs/latest").json()
    assert latest["status"] == "done" and latest["customers"] == 60


def test_distribution_counts_only_the_customers_the_actor_may_see(book, make_user, api_as):
    analytics_refresh(actor=None, as_of=AS_OF)
    mine = api_as(book["east"]).get("/analytics/distribution").json()
    everyone = api_as(make_user("analyst")).get("/analytics/distribution").json()
    assert sum(s["customers"] for s in mine["segments"]) == 30
    assert sum(s["customers"] for s in everyone["segments"]) == 60


def test_kpis_for_a_date_range_and_bad_ranges_are_422(book, api_as):
    api = api_as(book["east"])
    kpis = api.get("/analytics/kpis?start=2025-07-01&end=2026-06-30").json()
    assert kpis["summary"]["active_customers"] > 0
    assert 0 <= kpis["summary"]["repeat_purchase_rate"] <= 1
    assert api.get("/analytics/kpis?start=2026-07-01&end=2026-01-01").status_code == 422
    assert api.get("/analytics/kpis?start=not-a-date").status_code == 422


def test_policy_changes_need_if_match_and_consistent_thresholds(make_user, api_as):
    api = api_as(make_user("admin"))
    policy = api.get("/analytics/policy")
    assert api.patch("/analytics/policy", {"horizon_days": 60}).status_code == 428
    bad = api.patch(
        "/analytics/policy", {"medium_risk": 0.9, "high_risk": 0.6}, **{"If-Match": policy["ETag"]}
    )
    assert bad.status_code == 422 and "high_risk" in bad.json()["error"]["fields"]
    ok = api.patch("/analytics/policy", {"horizon_days": 60}, **{"If-Match": policy["ETag"]})
    assert ok.status_code == 200 and ok.json()["horizon_days"] == 60
    assert (
        api_as(make_user("sales"))
        .patch("/analytics/policy", {"horizon_days": 30}, **{"If-Match": "*"})
        .status_code
        == 403
    )


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "RFM 分群"), ("en", "RFM segments")])
def test_dashboard_page_shows_segments_risk_and_clusters(book, make_user, language, text):
    analytics_refresh(actor=None, as_of=AS_OF)
    client = Client()
    client.force_login(make_user("manager", team=None))
    client.cookies["guanxi_language"] = language
    page = client.get("/analytics/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    body = page.content.decode()
    assert text in body and 'id="chart-data"' in body


def test_customers_can_be_filtered_by_their_scores(book, api_as):
    analytics_refresh(actor=None, as_of=AS_OF)
    api = api_as(book["east"])
    high = api.get("/customers/accounts?risk_band=high&page_size=200").json()
    assert all(
        a["id"] in {s.account_id for s in CustomerScore.objects.filter(risk_band="high")}
        for a in high["items"]
    )


def test_the_360_panel_shows_scores_with_the_reason_and_a_risk_gauge(book, api_as):
    analytics_refresh(actor=None, as_of=AS_OF)
    account = book["lapsed"][0]
    client = Client()
    client.force_login(book["east"] if account.owner_id == book["east"].pk else book["west"])
    client.cookies["guanxi_language"] = "en"
    page = client.get(f"/customers/{account.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    score = CustomerScore.objects.get(account=account)
    assert 'data-testid="figure-chart-churn_risk"' in page
    assert score.churn_reason_en.split(" ")[0] in page
    figures = (
        api_as(book["east"] if account.owner_id == book["east"].pk else book["west"])
        .get(f"/customers/{account.pk}/360")
        .json()["figures"]
    )
    by_key = {f["key"]: f for f in figures}
    assert by_key["churn_risk"]["value"] == pytest.approx(score.churn_risk)
    assert by_key["rfm_segment"]["display"] != score.rfm_segment or score.rfm_segment == ""


def test_guanxi_analytics_refresh_command_scores_the_book(book, monkeypatch):
    import io

    from django.core.management import call_command

    from guanxi import cli

    calls: list[list[str]] = []

    def fake_django(argv: list[str]) -> int:
        calls.append(list(argv))
        return 0

    monkeypatch.setattr(cli, "_django", fake_django)
    assert cli.main(["analytics", "refresh", "--as-of", AS_OF.isoformat()]) == 0
    assert calls == [["guanxi_analytics_refresh", "--as-of", AS_OF.isoformat()]]
    out = io.StringIO()
    call_command("guanxi_analytics_refresh", as_of=AS_OF, stdout=out)
    assert "done, 60 customers" in out.getvalue()
    assert ScoreRun.objects.filter(status="done").exists()
