"""The analytic scores as figures on the customer 360 panel, in the reader's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guanxi.analytics.compute import DEFAULT_SEGMENTS
from guanxi.core.models import User
from guanxi.customers.models import Account, CustomerScore
from guanxi.customers.timeline import Figure

BAND_COLOURS = {"low": "#2f9e44", "medium": "#f08c00", "high": "#e03131"}


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _risk_gauge(risk: float, band: str) -> dict[str, Any]:
    return {
        "series": [
            {
                "type": "gauge",
                "min": 0,
                "max": 100,
                "radius": "95%",
                "center": ["50%", "62%"],
                "startAngle": 200,
                "endAngle": -20,
                "progress": {
                    "show": True,
                    "width": 10,
                    "itemStyle": {"color": BAND_COLOURS.get(band, "#868e96")},
                },
                "axisLine": {"lineStyle": {"width": 10}},
                "axisTick": {"show": False},
                "splitLine": {"show": False},
                "axisLabel": {"show": False},
                "pointer": {"show": False},
                "detail": {"formatter": "{value}%", "fontSize": 20, "offsetCenter": [0, "0%"]},
                "data": [{"value": round(risk * 100)}],
            }
        ]
    }


def score_figures(actor: User, account: Account) -> list[Figure]:
    """RFM segment, CLV, churn risk (with the reason and a gauge) and cluster: one query."""
    score = CustomerScore.objects.filter(account_id=account.pk).first()
    if score is None:
        return []
    zh = _chinese()
    names = {rule.key: (rule.name_zh if zh else rule.name_en) for rule in DEFAULT_SEGMENTS}
    computed = score.computed_at.strftime("%Y-%m-%d")
    figures: list[Figure] = []
    if score.rfm_segment:
        figures.append(
            Figure(
                "rfm_segment",
                _("RFM segment"),
                score.rfm_segment,
                names.get(score.rfm_segment, score.rfm_segment),
                hint=f"R{score.r_score or '-'} F{score.f_score or '-'} M{score.m_score or '-'} · {computed}",
            )
        )
    if score.clv is not None:
        figures.append(
            Figure(
                "clv",
                _("Customer lifetime value"),
                score.clv,
                f"¥{score.clv.quantize(Decimal('0.01')):,}",
                hint=_("Expected value over the scoring horizon, discounted") + f" · {computed}",
            )
        )
    if score.churn_risk is not None:
        reason = score.churn_reason_zh if zh else score.churn_reason_en
        band = {"low": _("low"), "medium": _("medium"), "high": _("high")}.get(score.risk_band, "")
        figures.append(
            Figure(
                "churn_risk",
                _("Churn risk"),
                score.churn_risk,
                f"{score.churn_risk:.0%} ({band})" if band else f"{score.churn_risk:.0%}",
                hint=reason,
                chart=_risk_gauge(score.churn_risk, score.risk_band),
            )
        )
    if score.p_alive is not None:
        figures.append(
            Figure("p_alive", _("Probability still active"), score.p_alive, f"{score.p_alive:.0%}")
        )
    if score.cluster_label:
        zh_name, _sep, en_name = score.cluster_label.partition(" / ")
        figures.append(
            Figure(
                "cluster",
                _("Cluster"),
                score.cluster_label,
                zh_name if zh or not en_name else en_name,
            )
        )
    return figures
