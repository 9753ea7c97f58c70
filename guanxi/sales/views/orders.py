"""Products, quotes and orders pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

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
from guanxi.sales.forms import LinesForm, PaymentForm, ProductForm, apply_error
from guanxi.sales.models import Order, PriceList, Product, Quote
from guanxi.sales.services._common import require_configure
from guanxi.sales.views.common import (
    account_choices,
    actor,
    page_of,
    price_list_choices,
    product_choices,
)


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    qs = selectors.product_list(actor=user, search=request.GET.get("q", "").strip())
    context = {
        "page": page_of(request, qs, 50),
        "q": request.GET.get("q", ""),
        "price_lists": list(selectors.price_list_list(actor=user)),
        "can_create": has_perm(user, Product.resource, "create"),
    }
    return render(request, "sales/products/list.html", context)


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    require_configure(user)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_create(actor=user, **form.cleaned_data)
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Product saved."))
            return redirect("sales:product-list")
    return render(request, "sales/products/form.html", {"form": form})


def _lines_form(request: HttpRequest, *, quote: bool) -> LinesForm:
    user = actor(request)
    form = LinesForm(
        request.POST or None,
        accounts=account_choices(user, request.GET.get("account") or request.POST.get("account")),
        products=product_choices(),
        price_lists=price_list_choices(),
        initial={"account": request.GET.get("account")},
    )
    if quote:
        del form.fields["region"]
    else:
        del form.fields["valid_until"]
    return form


def _price_list(value: str) -> PriceList | None:
    return PriceList.objects.filter(pk=int(value)).first() if value and value.isdigit() else None


def _line_inputs(form: LinesForm) -> list[services.LineInput]:
    return [
        services.LineInput(
            product_id=ln["product_id"], quantity=ln["quantity"], discount=ln["discount"]
        )
        for ln in form.lines()
    ]


def _codes(raw: str) -> list[str]:
    return [c for c in (raw or "").replace("，", ",").split(",") if c.strip()]


@login_required
def quote_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    qs = selectors.quote_list(actor=user, status=request.GET.get("status", "")).order_by(
        "-created_at", "-pk"
    )
    context = {"page": page_of(request, qs), "can_create": has_perm(user, Quote.resource, "create")}
    return render(request, "sales/quotes/list.html", context)


@login_required
def quote_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = _lines_form(request, quote=True)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            quote = services.quote_create(
                actor=user,
                account=customer_selectors.account_get(actor=user, account_id=cd["account"]),
                lines=_line_inputs(form),
                valid_until=cd.get("valid_until"),
                price_list=_price_list(cd.get("price_list") or ""),
                coupon_codes=_codes(cd.get("coupon_codes", "")),
                notes=cd.get("notes", ""),
            )
        except Invalid as exc:
            apply_error(form, exc, form.field_map())
        else:
            messages.success(request, _("Quote saved."))
            return redirect("sales:quote-detail", quote.pk)
    return render(request, "sales/lines_form.html", {"form": form, "kind": "quote"})


@login_required
def quote_detail(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = selectors.quote_get(actor=actor(request), quote_id=quote_id)
    return render(
        request, "sales/quotes/detail.html", {"quote": quote, "orders": quote.orders.all()}
    )


@login_required
@require_POST
def quote_convert(request: HttpRequest, quote_id: int) -> HttpResponse:
    user = actor(request)
    quote = selectors.quote_get(actor=user, quote_id=quote_id)
    try:
        order = services.quote_convert(
            actor=user, quote=quote, region=request.POST.get("region", "")
        )
    except (Invalid, Conflict) as exc:
        message = "; ".join(m for ms in exc.fields.values() for m in ms) or exc.message
        messages.error(request, message)
        return redirect("sales:quote-detail", quote.pk)
    messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
    return redirect("sales:order-detail", order.pk)


@login_required
@require_POST
def quote_status(request: HttpRequest, quote_id: int) -> HttpResponse:
    user = actor(request)
    quote = selectors.quote_get(actor=user, quote_id=quote_id)
    services.quote_set_status(actor=user, quote=quote, status=request.POST.get("status", ""))
    return redirect("sales:quote-detail", quote.pk)


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    account = request.GET.get("account", "")
    qs = selectors.order_list(
        actor=user,
        status=request.GET.get("status", ""),
        account_id=int(account) if account.isdigit() else None,
    ).order_by("-placed_at", "-pk")
    context = {
        "page": page_of(request, qs),
        "status": request.GET.get("status", ""),
        "statuses": Order.Status.choices,
        "can_create": has_perm(user, Order.resource, "create"),
    }
    return render(request, "sales/orders/list.html", context)


@login_required
def order_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = _lines_form(request, quote=False)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            order = services.order_create(
                actor=user,
                account=customer_selectors.account_get(actor=user, account_id=cd["account"]),
                lines=_line_inputs(form),
                price_list=_price_list(cd.get("price_list") or ""),
                coupon_codes=_codes(cd.get("coupon_codes", "")),
                region=cd.get("region", ""),
                notes=cd.get("notes", ""),
            )
        except Invalid as exc:
            apply_error(form, exc, form.field_map())
        else:
            messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
            return redirect("sales:order-detail", order.pk)
    return render(request, "sales/lines_form.html", {"form": form, "kind": "order"})


def _order_context(order: Order, payment_form: PaymentForm | None = None) -> dict[str, Any]:
    return {
        "order": order,
        "payment_form": payment_form or PaymentForm(initial={"amount": order.balance_due}),
        "lines": list(order.lines.all()),
    }


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get(actor=actor(request), order_id=order_id)
    return render(request, "sales/orders/detail.html", _order_context(order))


@login_required
@require_POST
def order_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    user = actor(request)
    order = selectors.order_get(actor=user, order_id=order_id)
    try:
        if action == "payment":
            form = PaymentForm(request.POST)
            if not form.is_valid():
                return render(
                    request, "sales/orders/detail.html", _order_context(order, form), status=422
                )
            services.order_record_payment(
                actor=user,
                order=order,
                amount=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                reference=form.cleaned_data["reference"],
            )
            messages.success(request, _("Payment recorded."))
        elif action == "status":
            services.order_set_status(
                actor=user, order=order, status=request.POST.get("status", "")
            )
        elif action == "cancel":
            services.order_cancel(actor=user, order=order, reason=request.POST.get("reason", ""))
        elif action == "return":
            lines: dict[int, Any] = {}
            for line in order.lines.all():
                raw = request.POST.get(f"return_{line.pk}", "").strip()
                if raw:
                    try:
                        lines[line.pk] = Decimal(raw)
                    except InvalidOperation:
                        lines[line.pk] = raw
            services.order_return(
                actor=user, order=order, lines=lines, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Return recorded."))
    except (Invalid, Conflict) as exc:
        message = "; ".join(m for ms in exc.fields.values() for m in ms) or exc.message
        messages.error(request, message)
    return redirect("sales:order-detail", order.pk)
