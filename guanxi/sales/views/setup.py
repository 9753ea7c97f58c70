"""Sales settings pages: pipelines with their stages, and the prices of a price list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid, NotFound, PermissionDenied
from guanxi.core.permissions import has_perm
from guanxi.sales import selectors, services
from guanxi.sales.forms import PipelineForm, PriceListPriceForm, apply_error
from guanxi.sales.models import Product
from guanxi.sales.services.opportunities import DEFAULT_STAGES
from guanxi.sales.views.common import actor, product_choices


def _require_configure(request: HttpRequest) -> None:
    if not has_perm(actor(request), Product.resource, "change"):
        raise PermissionDenied()


@login_required
def pipeline_list(request: HttpRequest) -> HttpResponse:
    _require_configure(request)
    pipelines = list(selectors.pipeline_list(actor=actor(request)))
    return render(request, "sales/pipelines/list.html", {"pipelines": pipelines})


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
