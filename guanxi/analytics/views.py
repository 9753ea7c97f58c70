"""Analytics pages: the scores dashboard with its charts, and a refresh button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.analytics import compute as ac
from guanxi.analytics import selectors
from guanxi.analytics.tasks import refresh_scores
from guanxi.core.permissions import has_perm, require_perm

AUC_LABELS = {
    "pareto_nbd_risk": "Pareto/NBD expected purchases (used)",
    "pareto_nbd_1_minus_p_alive": "Pareto/NBD 1 − P(alive)",
    "bgnbd_expected_purchases": "BG/NBD expected purchases",
    "bgnbd_p_no_purchase": "BG/NBD P(no purchase)",
    "bgnbd_1_minus_p_alive": "BG/NBD 1 − P(alive)",
    "days_since_last_purchase": "Days since last purchase",
}


def _segment_names() -> dict[str, str]:
    zh = (get_language() or "zh-hans").startswith("zh")
    return {rule.key: (rule.name_zh if zh else rule.name_en) for rule in ac.DEFAULT_SEGMENTS}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, "analytics.scores", "view")  # type: ignore[arg-type]
    sees_runs = has_perm(actor, "analytics.policy", "view")  # type: ignore[arg-type]
    run = selectors.run_latest(actor=actor) if sees_runs else None  # type: ignore[arg-type]
    distribution = selectors.score_distribution(actor=actor)  # type: ignore[arg-type]
    names = _segment_names()
    segments = [
        {
            "key": s["key"],
            "name": names.get(s["key"], s["key"] or _("Not scored")),
            "customers": s["customers"],
        }
        for s in distribution["segments"]
    ]
    band_names = {"low": _("Low"), "medium": _("Medium"), "high": _("High"), "": _("Not scored")}
    bands = [
        {"key": b["key"], "name": band_names.get(b["key"], b["key"]), "customers": b["customers"]}
        for b in distribution["bands"]
    ]
    auc = sorted(
        (
            {"key": k, "label": AUC_LABELS.get(k, k), "auc": v}
            for k, v in (run.churn_auc if run else {}).items()
        ),
        key=lambda a: -a["auc"],
    )
    zh = (get_language() or "zh-hans").startswith("zh")
    clusters = [
        {**c, "name": c.get("name_zh" if zh else "name_en", "")}
        for c in (run.clusters if run else [])
        if "cluster" in c
    ]
    context: dict[str, Any] = {
        "run": run,
        "segments": segments,
        "bands": bands,
        "clusters": clusters,
        "auc": auc,
        "chart_data": {
            "segments": [{"name": s["name"], "value": s["customers"]} for s in segments],
            "bands": [{"name": b["name"], "value": b["customers"]} for b in bands],
        },
        "can_refresh": has_perm(actor, "analytics.scores", "change"),  # type: ignore[arg-type]
    }
    return render(request, "analytics/dashboard.html", context)


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "analytics.scores", "change")  # type: ignore[arg-type]
    refresh_scores.enqueue(request.user.pk)
    messages.success(
        request, _("Scores are being recomputed; the page shows the new run when it is done.")
    )
    return redirect("analytics:dashboard")
