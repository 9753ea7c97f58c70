"""Contracts, targets and forecast, and the sales reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid
from guanxi.core.models import Team
from guanxi.core.permissions import has_perm, require_perm
from guanxi.core.selectors import colleague_choices
from guanxi.customers import selectors as customer_selectors
from guanxi.sales import selectors, services
from guanxi.sales.forms import ContractForm, TargetForm, apply_error
from guanxi.sales.models import Contract, Order, SalesTarget
from guanxi.sales.selectors.reports import default_range
from guanxi.sales.views.common import account_choices, actor, page_of


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    due = request.GET.get("due", "")
    qs = selectors.contract_list(
        actor=user, status=request.GET.get("status", ""), due_within_days=90 if due else None
    ).order_by("renewal_date", "pk")
    context = {
        "page": page_of(request, qs),
        "due": due,
        "today": timezone.localdate(),
        "can_create": has_perm(user, Contract.resource, "create"),
    }
    return render(request, "sales/contracts/list.html", context)


def _contract_form(request: HttpRequest, contract: Contract | None) -> ContractForm:
    user = actor(request)
    initial: dict[str, Any] = {"account": request.GET.get("account")}
    if contract is not None:
        initial = {f: getattr(contract, f) for f in ContractForm.base_fields if f != "account"}
        initial["account"] = str(contract.account_id)
    form = ContractForm(
        request.POST or None,
        accounts=account_choices(user, initial.get("account")),
        initial=initial,
    )
    if contract is not None:
        form.fields["account"].disabled = True
    return form


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = _contract_form(request, None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            contract = services.contract_create(
                actor=user,
                account=customer_selectors.account_get(actor=user, account_id=cd["account"]),
                title=cd["title"],
                start_date=cd["start_date"],
                end_date=cd["end_date"],
                renewal_date=cd["renewal_date"],
                remind_days_before=cd["remind_days_before"],
                value=cd["value"],
                notes=cd["notes"],
            )
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Contract saved."))
            return redirect("sales:contract-detail", contract.pk)
    return render(request, "sales/contracts/form.html", {"form": form, "creating": True})


@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    user = actor(request)
    contract = selectors.contract_get(actor=user, contract_id=contract_id)
    form = _contract_form(request, contract)
    status = 200
    if request.method == "POST" and form.is_valid():
        changes = {
            k: v
            for k, v in form.cleaned_data.items()
            if k != "account" and v != getattr(contract, k) and not (k == "status" and not v)
        }
        try:
            services.contract_update(
                actor=user,
                contract=contract,
                changes=changes,
                expected_version=int(request.POST.get("version", contract.version)),
            )
        except Invalid as exc:
            apply_error(form, exc)
            status = 422
        else:
            messages.success(request, _("Contract saved."))
            return redirect("sales:contract-detail", contract.pk)
    return render(
        request, "sales/contracts/form.html", {"form": form, "contract": contract}, status=status
    )


def _parse_day(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    kind = request.GET.get("kind", "month")
    if kind not in SalesTarget.Period.values:
        kind = "month"
    day = _parse_day(request.GET.get("day"))
    who = request.GET.get("who", "")
    rep_id = int(who[4:]) if who.startswith("rep-") and who[4:].isdigit() else None
    team_id = int(who[5:]) if who.startswith("team-") and who[5:].isdigit() else None
    fc = selectors.forecast(
        actor=user, kind=kind, day=day, rep_id=rep_id, team_id=team_id, with_deals=True
    )
    who_choices = [("", _("Everyone I can see"))]
    who_choices += [
        (f"team-{t.pk}", f"{_('Team')}: {t.name}") for t in Team.objects.order_by("name")
    ]
    who_choices += [
        (f"rep-{u.pk}", f"{_('Rep')}: {u}")
        for u in colleague_choices(actor=user).filter(role__code="sales")
    ]
    can_set = has_perm(user, SalesTarget.resource, "create")
    form = (
        TargetForm(request.POST or None, who=[c for c in who_choices if c[0]]) if can_set else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        target_who = cd["who"]
        rep = (
            colleague_choices(actor=user).filter(pk=int(target_who[4:])).first()
            if target_who.startswith("rep-")
            else None
        )
        team = (
            Team.objects.filter(pk=int(target_who[5:])).first()
            if target_who.startswith("team-")
            else None
        )
        try:
            services.target_set(
                actor=user,
                period_kind=cd["period_kind"],
                period_start_on=cd["period_start"],
                amount=cd["amount"],
                rep=rep,
                team=team,
            )
        except Invalid as exc:
            apply_error(form, exc, {"rep_id": "who"})
        else:
            messages.success(request, _("Target saved."))
            return redirect(request.get_full_path())
    shift = {"month": 31, "quarter": 92, "year": 366}[kind]
    context = {
        "fc": fc,
        "kind": kind,
        "day": day,
        "who": who,
        "who_choices": who_choices,
        "kinds": SalesTarget.Period.choices,
        "prev_day": (fc.start - dt.timedelta(days=1)).isoformat(),
        "next_day": (fc.end + dt.timedelta(days=1)).isoformat(),
        "target_form": form,
        "targets": list(selectors.target_list(actor=user).filter(period_kind=kind)[:20]),
        "shift": shift,
        "chart": {
            "labels": [
                str(_("Target")),
                str(_("Won")),
                str(_("Weighted pipeline")),
                str(_("Forecast")),
                str(_("Run rate")),
            ],
            "values": [str(v) for v in (fc.target, fc.won, fc.weighted, fc.forecast, fc.run_rate)],
        },
    }
    return render(request, "sales/forecast.html", context)


def _money(value: Decimal | None) -> str:
    return str(value if value is not None else Decimal("0.00"))


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    require_perm(user, Order.resource, "view")
    d_start, d_end = default_range()
    start = _parse_day(request.GET.get("start")) if request.GET.get("start") else d_start
    end = _parse_day(request.GET.get("end")) if request.GET.get("end") else d_end
    pipeline = services.default_pipeline()
    by_month = selectors.revenue_by(actor=user, dimension="month", start=start, end=end)
    tables = {
        dim: selectors.revenue_by(actor=user, dimension=dim, start=start, end=end, limit=10)
        for dim in ("rep", "team", "product", "category", "region")
    }
    funnel = selectors.funnel(actor=user, pipeline=pipeline, start=start, end=end)
    yoy = selectors.revenue_yoy(actor=user, year=end.year)
    chart = {
        "months": [r["label"] for r in by_month],
        "revenue": [_money(r["revenue"]) for r in by_month],
        "funnel": [{"name": r["stage"], "value": r["entered"]} for r in funnel],
        "yoy": {
            "months": [str(m["month"]) for m in yoy["months"]],
            "this_year": [_money(m["this_year"]) for m in yoy["months"]],
            "last_year": [_money(m["last_year"]) for m in yoy["months"]],
            "labels": [str(yoy["year"]), str(yoy["year"] - 1)],
        },
        "categories": [
            {"name": str(r["label"]), "value": _money(r["revenue"])} for r in tables["category"]
        ],
    }
    context = {
        "start": start,
        "end": end,
        "by_month": by_month,
        "tables": tables,
        "table_titles": {
            "rep": _("Revenue by rep"),
            "team": _("Revenue by team"),
            "product": _("Revenue by product"),
            "category": _("Revenue by category"),
            "region": _("Revenue by region"),
        },
        "funnel": funnel,
        "win_rate": selectors.win_rate(actor=user, start=start, end=end),
        "cycle": selectors.cycle_length(actor=user, start=start, end=end),
        "yoy": yoy,
        "top": selectors.top_customers(actor=user, start=start, end=end),
        "chart": chart,
    }
    return render(request, "sales/reports.html", context)
