"""Opportunity pages: the kanban board (HTML5 drag and drop + HTMX), list, detail, create,
product lines and a quote made from them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, Invalid
from guanxi.core.permissions import has_perm
from guanxi.customers import selectors as customer_selectors
from guanxi.sales import selectors, services
from guanxi.sales.forms import CloseForm, OpportunityForm, OpportunityLinesForm, apply_error
from guanxi.sales.models import Opportunity, Pipeline, PriceList, Stage
from guanxi.sales.services._common import account_for
from guanxi.sales.views.common import (
    account_choices,
    actor,
    page_of,
    price_list_choices,
    product_choices,
)

EXTRA_LINE_ROWS = 3
MAX_LINE_ROWS = 60


def _pipeline(request: HttpRequest) -> Pipeline:
    pipeline_id = request.GET.get("pipeline") or request.POST.get("pipeline")
    if pipeline_id and str(pipeline_id).isdigit():
        found = Pipeline.objects.filter(pk=int(pipeline_id), active=True).first()
        if found is not None:
            return found
    return services.default_pipeline()


def _board_context(request: HttpRequest, pipeline: Pipeline) -> dict[str, object]:
    user = actor(request)
    return {
        "pipeline": pipeline,
        "pipelines": list(selectors.pipeline_list(actor=user)),
        "columns": selectors.kanban(actor=user, pipeline=pipeline),
        "can_create": has_perm(user, Opportunity.resource, "create"),
        "can_configure": has_perm(user, "sales.product", "change"),
    }


@login_required
def opportunity_board(request: HttpRequest) -> HttpResponse:
    pipeline = _pipeline(request)
    context = _board_context(request, pipeline)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "sales/opportunities/_board.html", context)
    return render(request, "sales/opportunities/board.html", context)


@login_required
@require_POST
def opportunity_drop(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """A card dropped on a column: move it there and re-render the board."""
    user = actor(request)
    opportunity = selectors.opportunity_get(actor=user, opportunity_id=opportunity_id)
    stage = selectors.stage_get(actor=user, stage_id=request.POST.get("stage_id"))
    amount_raw = request.POST.get("amount") or None
    from decimal import Decimal, InvalidOperation

    try:
        amount = Decimal(amount_raw) if amount_raw else None
    except InvalidOperation as exc:
        raise Invalid(fields={"amount": [_("Enter a number.")]}) from exc
    if stage.kind != Stage.Kind.OPEN and not request.POST.get("confirmed"):
        # Closing needs an amount or a reason: ask for it instead of guessing.
        context = {
            "opportunity": opportunity,
            "stage": stage,
            "form": CloseForm(initial={"amount": opportunity.amount}),
        }
        return render(request, "sales/opportunities/_close_dialog.html", context)
    try:
        services.opportunity_move(
            actor=user,
            opportunity=opportunity,
            stage=stage,
            amount=amount,
            lost_reason=request.POST.get("lost_reason", ""),
        )
    except Invalid as exc:
        form = CloseForm(request.POST)
        form.is_valid()
        apply_error(form, exc)
        context = {"opportunity": opportunity, "stage": stage, "form": form}
        response = render(request, "sales/opportunities/_close_dialog.html", context, status=422)
        # app.js swaps error answers that name their target: the dialog shows its errors.
        response["HX-Retarget"] = "#board"
        return response
    pipeline = Pipeline.objects.get(pk=opportunity.pipeline_id)
    return render(request, "sales/opportunities/_board.html", _board_context(request, pipeline))


@login_required
def opportunity_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    qs = selectors.opportunity_list(
        actor=user, search=request.GET.get("q", ""), status=request.GET.get("status", "")
    ).order_by("-created_at", "-pk")
    return render(
        request,
        "sales/opportunities/list.html",
        {
            "page": page_of(request, qs),
            "q": request.GET.get("q", ""),
            "status": request.GET.get("status", ""),
        },
    )


@login_required
def opportunity_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    pipeline = _pipeline(request)
    stages = [
        (str(s.pk), s.name)
        for s in pipeline.stages.filter(kind=Stage.Kind.OPEN, active=True).order_by("position")
    ]
    form = OpportunityForm(
        request.POST or None,
        accounts=account_choices(user, request.GET.get("account")),
        stages=stages,
        initial={"account": request.GET.get("account")},
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            account = customer_selectors.account_get(actor=user, account_id=cd["account"])
            opportunity = services.opportunity_create(
                actor=user,
                account=account,
                name=cd["name"],
                pipeline=pipeline,
                stage=selectors.stage_get(actor=user, stage_id=cd["stage"]),
                amount=cd["amount"],
                expected_close_date=cd["expected_close_date"],
                notes=cd["notes"],
            )
        except Invalid as exc:
            apply_error(form, exc, {"account_id": "account", "stage_id": "stage"})
        else:
            messages.success(request, _("Opportunity saved."))
            return redirect("sales:opportunity-detail", opportunity.pk)
    return render(request, "sales/opportunities/form.html", {"form": form, "pipeline": pipeline})


@login_required
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    user = actor(request)
    opportunity = selectors.opportunity_get(actor=user, opportunity_id=opportunity_id)
    form = CloseForm(request.POST or None, initial={"amount": opportunity.amount})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "win":
                services.opportunity_win(
                    actor=user, opportunity=opportunity, amount=form.cleaned_data["amount"]
                )
                messages.success(request, _("Deal won."))
            elif request.POST.get("action") == "lose":
                services.opportunity_lose(
                    actor=user,
                    opportunity=opportunity,
                    lost_reason=form.cleaned_data["lost_reason"] or "",
                )
                messages.success(request, _("Deal marked as lost."))
            return redirect("sales:opportunity-detail", opportunity.pk)
        except (Invalid, Conflict) as exc:
            apply_error(form, exc)
            status = 422
    context = {
        "opportunity": opportunity,
        "lines": list(opportunity.lines.all()),
        "history": list(selectors.opportunity_history(actor=user, opportunity=opportunity)),
        "quotes": list(opportunity.quotes.filter(deleted_at__isnull=True)),
        "form": form,
    }
    return render(request, "sales/opportunities/detail.html", context, status=status)


def _line_rows(request: HttpRequest, existing: int) -> int:
    raw = request.POST.get("rows", "") if request.method == "POST" else ""
    rows = int(raw) if raw.isdigit() else existing + EXTRA_LINE_ROWS
    return max(1, min(rows, MAX_LINE_ROWS))


@login_required
def opportunity_lines(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Edit the deal's product lines; the amount becomes their total."""
    user = actor(request)
    opportunity = selectors.opportunity_get(actor=user, opportunity_id=opportunity_id)
    lines = list(opportunity.lines.all())
    initial: dict[str, object] = {"price_list": str(opportunity.price_list_id or "")}
    for i, ln in enumerate(lines):
        initial[f"product_{i}"] = str(ln.product_id)
        initial[f"quantity_{i}"] = ln.quantity.normalize()
        initial[f"discount_percent_{i}"] = ln.discount_percent.normalize() or None
        if ln.manual_price:
            initial[f"unit_price_{i}"] = ln.unit_price.normalize()
    form = OpportunityLinesForm(
        request.POST or None,
        rows=_line_rows(request, len(lines)),
        products=product_choices(),
        price_lists=price_list_choices(),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data.get("price_list") or ""
        price_list = PriceList.objects.filter(pk=int(raw), active=True).first() if raw else None
        version = request.POST.get("version", "")
        try:
            if raw and price_list is None:
                raise Invalid(fields={"price_list_id": [_("Unknown price list.")]})
            services.opportunity_set_lines(
                actor=user,
                opportunity=opportunity,
                lines=[services.LineInput(**ln) for ln in form.lines()],
                price_list=price_list,
                expected_version=int(version) if version.isdigit() else None,
            )
        except Invalid as exc:
            apply_error(form, exc, form.field_map())
        else:
            messages.success(request, _("Product lines saved."))
            return redirect("sales:opportunity-detail", opportunity.pk)
    # Placeholders show the price each unpriced row takes today.
    for i, ln in enumerate(lines):
        form.fields[f"unit_price_{i}"].widget.attrs["placeholder"] = f"{ln.unit_price:.2f}"
    context = {"opportunity": opportunity, "form": form, "rows": form.rows}
    status = 422 if form.errors else 200
    return render(request, "sales/opportunities/lines.html", context, status=status)


@login_required
@require_POST
def opportunity_quote(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """A quote for the deal from its product lines, at their prices and discounts."""
    user = actor(request)
    opportunity = selectors.opportunity_get(actor=user, opportunity_id=opportunity_id)
    try:
        quote = services.quote_create(
            actor=user,
            account=account_for(user, opportunity.account_id),
            opportunity=opportunity,
        )
    except Invalid as exc:
        messages.error(request, "; ".join(m for ms in exc.fields.values() for m in ms))
        return redirect("sales:opportunity-detail", opportunity.pk)
    messages.success(
        request, _("Quote %(number)s made from the product lines.") % {"number": quote.number}
    )
    return redirect("sales:quote-detail", quote.pk)
