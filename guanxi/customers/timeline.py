"""The customer 360 registration points: timeline sources and figure sources.

Later apps (sales, service, marketing, loyalty, analytics) put their interactions on the
customer timeline and their numbers in the figures panel by registering a function here,
typically in their AppConfig.ready(); this app never imports them.
"""

from __future__ import annotations

import datetime
import heapq
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from guanxi.core.models import User
    from guanxi.customers.models import Account

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str
    title: str
    source: str
    ref_id: str
    detail: str = ""
    url: str = ""
    icon: str = ""
    amount: Decimal | None = None
    currency: str = ""


# (actor, account, before, limit) -> newest-first entries strictly older than `before`
TimelineSource = Callable[["User", "Account", datetime.datetime | None, int], list[TimelineEntry]]

_TIMELINE_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(key: str, fn: TimelineSource) -> None:
    """Add (or replace) a source of timeline entries; `key` names it, e.g. "sales.orders"."""
    _TIMELINE_SOURCES[key] = fn


def timeline_sources() -> dict[str, TimelineSource]:
    return dict(_TIMELINE_SOURCES)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: object
    display: str
    hint: str = ""
    url: str = ""
    # An ECharts option drawn under the figure (e.g. a gauge), or None.
    chart: dict[str, Any] | None = None


FigureSource = Callable[["User", "Account"], list[Figure]]

_FIGURE_SOURCES: dict[str, FigureSource] = {}

# The figures panel shows these keys in this order, whether or not an app provides them.
KNOWN_FIGURES: list[tuple[str, str | Promise]] = [
    ("rfm_segment", _("RFM segment")),
    ("clv", _("Customer lifetime value")),
    ("churn_risk", _("Churn risk")),
    ("tier", _("Tier")),
    ("points", _("Points")),
    ("nps", _("NPS")),
    ("csat", _("CSAT")),
    ("open_tickets", _("Open tickets")),
    ("lifetime_revenue", _("Lifetime revenue")),
]
NO_DATA = "—"


def register_figure_source(key: str, fn: FigureSource) -> None:
    """Add (or replace) a source of figures for the 360 panel."""
    _FIGURE_SOURCES[key] = fn


def _sort_key(entry: TimelineEntry) -> tuple[datetime.datetime, str, str]:
    return (entry.at, entry.source, entry.ref_id)


def timeline_for(
    *,
    actor: User,
    account: Account,
    before: datetime.datetime | None = None,
    limit: int = 50,
) -> list[TimelineEntry]:
    """Every source's entries strictly older than `before`, merged newest first, at most `limit`.

    Each source returns at most `limit` entries, so the merged page is exact: the next page
    starts before the oldest entry returned.
    """
    limit = max(1, min(limit, 200))
    lists: list[list[TimelineEntry]] = []
    for key, fn in sorted(_TIMELINE_SOURCES.items()):
        try:
            entries = fn(actor, account, before, limit)
        except Exception:  # one broken app must not take the customer page down
            logger.exception("timeline source %s failed", key)
            continue
        lists.append(sorted(entries, key=_sort_key, reverse=True)[:limit])
    merged = heapq.merge(*lists, key=_sort_key, reverse=True)
    out: list[TimelineEntry] = []
    for entry in merged:
        if before is not None and entry.at >= before:
            continue
        out.append(entry)
        if len(out) >= limit:
            break
    return out


def figures_for(*, actor: User, account: Account) -> list[Figure]:
    """The known figures in their fixed order ("—" where no app provides one), then any others."""
    provided: dict[str, Figure] = {}
    for key, fn in sorted(_FIGURE_SOURCES.items()):
        try:
            for figure in fn(actor, account):
                provided.setdefault(figure.key, figure)
        except Exception:
            logger.exception("figure source %s failed", key)
    result: list[Figure] = []
    for key, label in KNOWN_FIGURES:
        if key in provided:
            result.append(provided.pop(key))
        else:
            result.append(
                Figure(
                    key=key,
                    label=str(label),
                    value=None,
                    display=NO_DATA,
                    hint=str(_("No data yet")),
                )
            )
    result.extend(provided.values())
    return result
