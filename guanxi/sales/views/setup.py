"""Sales settings pages: pipelines with their stages, and the prices of a price list.

Each pipeline is a card; its forms post with HTMX and get the re-rendered card back (with
per-field errors and a 422 when the service refuses), or post plainly and come back to the
page. Every form carries the pipeline's version, so an edit made on a stale page is refused.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from guanxi.core.errors import Invalid, NotFound, PermissionDenied
from guanxi.core.permissions import has_perm
from guanxi.sales import selectors, services
from guanxi.sales.forms import (
    PipelineForm,
    PipelineNameForm,
    PriceListPriceForm,
    StageForm,
    StageRemoveForm,
    apply_error,
)
from guanxi.sales.models import Pipeline, Product, Stage
from guanxi.sales.services.pipelines import DEFAULT_STAGES
from guanxi.sales.views.common import actor, product_choices


def _require_configure(request: HttpRequest) -> None:
    if not has_perm(actor(request), Product.resource, "change"):
        raise PermissionDenied()


def _stage_form(stage: Stage, data: Any = None) -> StageForm:
    initial = {"name": stage.name, "probability": stage.probability, "kind": stage.kind}
    return StageForm(data, prefix=f"s{stage.pk}", initial=initial)


def _remove_form(stage: Stage, stages: list[Stage], data: Any = None) -> StageRemoveForm:
    targets = [
        (str(s.pk), s.name)
        for s in stages
        if s.active and s.kind == Stage.Kind.OPEN and s.pk != stage.pk
    ]
    return StageRemoveForm(data, prefix=f"r{stage.pk}", targets=targets)


def _card(
    pipeline: Pipeline,
    counts: dict[int, int],
    *,
    bound: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    notice: str = "",
) -> dict[str, Any]:
    """Everything one pipeline card shows; `bound` holds the form that was just posted."""
    bound = bound or {}
    stages = list(pipeline.stages.all())
    active = [s for s in stages if s.active]
    rows = []
    for i, stage in enumerate(active):
        rows.append(
            {
                "stage": stage,
                "form": bound.get(f"stage-{stage.pk}") or _stage_form(stage),
                "remove_form": bound.get(f"remove-{stage.pk}") or _remove_form(stage, stages),
                "open_deals": counts.get(stage.pk, 0),
                "first": i == 0,
                "last": i == len(active) - 1,
            }
        )
    return {
        "p": pipeline,
        "rows": rows,
        "archived": [s for s in stages if not s.active],
        "name_form": bound.get("name")
        or PipelineNameForm(prefix=f"p{pipeline.pk}", initial={"name": pipeline.name}),
        "add_form": bound.get("add") or StageForm(prefix=f"new{pipeline.pk}"),
        "card_errors": errors or [],
        "notice": notice,
    }


def _cards(request: HttpRequest, focus: dict[str, Any] | None = None) -> dict[str, Any]:
    user = actor(request)
    pipelines = list(selectors.pipeline_list(actor=user, include_inactive=True))
    counts = selectors.stage_open_deal_counts(actor=user, pipelines=pipelines)
    focus = focus or {}
    cards = []
    for p in pipelines:
        extra = focus if focus.get("pipeline_id") == p.pk else {}
        cards.append(
            _card(
                p,
                counts,
                bound=extra.get("bound"),
                errors=extra.get("errors"),
                notice=extra.get("notice", ""),
            )
        )
    return {
        "cards": [c for c in cards if c["p"].active],
        "inactive_cards": [c for c in cards if not c["p"].active],
    }


@login_required
def pipeline_list(request: HttpRequest) -> HttpResponse:
    _require_configure(request)
    return render(request, "sales/pipelines/list.html", _cards(request))


def _answer(
    request: HttpRequest,
    pipeline_id: int,
    *,
    ok: str = "",
    bound: dict[str, Any] | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    """The card again (HTMX) or the page; a refused change answers 422 with its errors."""
    failed = bool(errors) or any(f.errors for f in (bound or {}).values())
    status = 422 if failed else 200
    if request.htmx:  # type: ignore[attr-defined]
        user = actor(request)
        pipeline = selectors.pipeline_get(actor=user, pipeline_id=pipeline_id)
        counts = selectors.stage_open_deal_counts(actor=user, pipelines=[pipeline])
        context = _card(pipeline, counts, bound=bound, errors=errors, notice=ok)
        response = render(request, "sales/pipelines/_card.html", context, status=status)
        if failed:
            # app.js swaps error answers that name their target.
            response["HX-Retarget"] = f"#pipeline-{pipeline_id}"
            response["HX-Reswap"] = "outerHTML"
        return response
    if not failed:
        if ok:
            messages.success(request, ok)
        return redirect(f"{reverse('sales:pipeline-list')}#pipeline-{pipeline_id}")
    focus = {"pipeline_id": pipeline_id, "bound": bound, "errors": errors}
    return render(request, "sales/pipelines/list.html", _cards(request, focus), status=status)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _messages(exc: Invalid) -> list[str]:
    return [m for ms in exc.fields.values() for m in ms] or [exc.message]


def _pipeline(request: HttpRequest, pipeline_id: int) -> Pipeline:
    _require_configure(request)
    return selectors.pipeline_get(actor=actor(request), pipeline_id=pipeline_id)


@login_required
@require_POST
def pipeline_edit(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """Rename (action=rename), make default, deactivate or activate a pipeline."""
    pipeline = _pipeline(request, pipeline_id)
    action = request.POST.get("action", "rename")
    changes: dict[str, Any]
    if action == "rename":
        form = PipelineNameForm(request.POST, prefix=f"p{pipeline.pk}")
        if not form.is_valid():
            return _answer(request, pipeline_id, bound={"name": form})
        changes = {"name": form.cleaned_data["name"]}
        ok = _("Pipeline renamed.")
    elif action == "default":
        changes, ok = {"is_default": True}, _("This is now the default pipeline.")
    elif action == "deactivate":
        changes, ok = {"active": False}, _("Pipeline deactivated.")
    elif action == "activate":
        changes, ok = {"active": True}, _("Pipeline activated.")
    else:
        raise Invalid(fields={"action": [_("Unknown action.")]})
    try:
        services.pipeline_update(
            actor=actor(request),
            pipeline=pipeline,
            changes=changes,
            expected_version=_version(request),
        )
    except Invalid as exc:
        if action == "rename":
            apply_error(form, exc)
            return _answer(request, pipeline_id, bound={"name": form})
        return _answer(request, pipeline_id, errors=_messages(exc))
    return _answer(request, pipeline_id, ok=ok)


@login_required
@require_POST
def stage_add(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = _pipeline(request, pipeline_id)
    form = StageForm(request.POST, prefix=f"new{pipeline.pk}")
    if form.is_valid():
        cd = form.cleaned_data
        try:
            stage = services.stage_add(
                actor=actor(request),
                pipeline=pipeline,
                name=cd["name"],
                probability=cd["probability"],
                kind=cd["kind"],
                expected_version=_version(request),
            )
        except Invalid as exc:
            apply_error(form, exc)
        else:
            return _answer(
                request, pipeline_id, ok=_("Stage %(name)s added.") % {"name": stage.name}
            )
    return _answer(request, pipeline_id, bound={"add": form})


def _stage(request: HttpRequest, pipeline: Pipeline, stage_id: int) -> Stage:
    return selectors.pipeline_stage_get(actor=actor(request), pipeline=pipeline, stage_id=stage_id)


@login_required
@require_POST
def stage_edit(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    pipeline = _pipeline(request, pipeline_id)
    stage = _stage(request, pipeline, stage_id)
    form = _stage_form(stage, request.POST)
    if form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != form.initial.get(k)}
        try:
            services.stage_update(
                actor=actor(request),
                stage=stage,
                changes=changes,
                expected_version=_version(request),
            )
        except Invalid as exc:
            apply_error(form, exc)
        else:
            return _answer(request, pipeline_id, ok=_("Stage saved."))
    return _answer(request, pipeline_id, bound={f"stage-{stage.pk}": form})


@login_required
@require_POST
def stage_move(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """Move a stage one place up or down (the service gets the whole new order)."""
    pipeline = _pipeline(request, pipeline_id)
    stage = _stage(request, pipeline, stage_id)
    order = [s.pk for s in pipeline.stages.all() if s.active]
    if stage.pk in order:
        i = order.index(stage.pk)
        j = i - 1 if request.POST.get("direction") == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
    try:
        services.stage_reorder(
            actor=actor(request),
            pipeline=pipeline,
            stage_ids=order,
            expected_version=_version(request),
        )
    except Invalid as exc:
        return _answer(request, pipeline_id, errors=_messages(exc))
    return _answer(request, pipeline_id)


@login_required
@require_POST
def stage_remove(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    pipeline = _pipeline(request, pipeline_id)
    stage = _stage(request, pipeline, stage_id)
    form = _remove_form(stage, list(pipeline.stages.all()), request.POST)
    if form.is_valid():
        raw = form.cleaned_data.get("target") or ""
        target = next((s for s in pipeline.stages.all() if str(s.pk) == raw), None)
        try:
            removal = services.stage_remove(
                actor=actor(request),
                stage=stage,
                target=target,
                expected_version=_version(request),
            )
        except Invalid as exc:
            apply_error(form, exc, {"target_stage_id": "target"})
        else:
            if removal.archived:
                ok = _("Stage %(name)s archived: stage history and reports keep it.") % {
                    "name": stage.name
                }
            else:
                ok = _("Stage %(name)s removed.") % {"name": stage.name}
            if removal.moved:
                assert target is not None
                ok += " " + ngettext(
                    "%(count)s open deal moved to %(stage)s.",
                    "%(count)s open deals moved to %(stage)s.",
                    removal.moved,
                ) % {"count": removal.moved, "stage": target.name}
            return _answer(request, pipeline_id, ok=ok)
    return _answer(request, pipeline_id, bound={f"remove-{stage.pk}": form})


@login_required
def pipeline_create(request: HttpRequest) -> HttpResponse:
    _require_configure(request)
    initial = {"stages": "\n".join(f"{n}, {p}, {k}" for n, p, k in DEFAULT_STAGES)}
    form = PipelineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.pipeline_create(
                actor=actor(request),
                name=cd["name"],
                stages=cd["stages"],
                is_default=cd["is_default"],
            )
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Pipeline saved."))
            return redirect("sales:pipeline-list")
    status = 422 if form.errors else 200
    return render(request, "sales/pipelines/form.html", {"form": form}, status=status)


@login_required
def price_list_detail(request: HttpRequest, price_list_id: int) -> HttpResponse:
    user = actor(request)
    price_list = selectors.price_list_list(actor=user).filter(pk=price_list_id).first()
    if price_list is None:
        raise NotFound()
    can_edit = has_perm(user, Product.resource, "change")
    form = PriceListPriceForm(request.POST or None, products=product_choices())
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied()
        if form.is_valid():
            cd = form.cleaned_data
            try:
                services.price_list_set_prices(
                    actor=user,
                    price_list=price_list,
                    prices={int(cd["product"]): cd["unit_price"]},
                    expected_version=_version(request),
                )
            except Invalid as exc:
                field = f"prices.{cd['product']}"
                apply_error(form, exc, {field: "unit_price"})
            else:
                messages.success(request, _("Price saved."))
                return redirect("sales:price-list-detail", price_list.pk)
    items = price_list.items.select_related("product").order_by("product__sku")
    context = {
        "price_list": price_list,
        "price_lists": list(selectors.price_list_list(actor=user)),
        "items": list(items),
        "form": form,
        "can_edit": can_edit,
    }
    return render(
        request, "sales/price_lists/detail.html", context, status=422 if form.errors else 200
    )


@login_required
@require_POST
def price_list_remove_price(
    request: HttpRequest, price_list_id: int, product_id: int
) -> HttpResponse:
    """Take a product's price off the list; it then sells at its list price there."""
    user = actor(request)
    _require_configure(request)
    price_list = selectors.price_list_get(actor=user, price_list_id=price_list_id)
    product = selectors.product_list(actor=user).filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    services.price_list_remove_price(
        actor=user,
        price_list=price_list,
        product=product,
        expected_version=_version(request),
    )
    messages.success(
        request,
        _("%(product)s now sells at its list price on this price list.")
        % {"product": product.name},
    )
    return redirect("sales:price-list-detail", price_list.pk)
