"""Account pages: list with search/filters/saved views, create/edit, delete/restore, 360."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import Invalid
from guanxi.core.models import Team, User
from guanxi.core.pagination import order_by_allowed
from guanxi.core.permissions import has_perm, require_perm
from guanxi.core.selectors import colleague_choices
from guanxi.core.visibility import reach
from guanxi.customers import selectors
from guanxi.customers.display import ACCOUNT_ROW_FIELDS, account_rows
from guanxi.customers.forms import AccountForm, ActivityForm, StageForm, apply_error
from guanxi.customers.models import Account, CustomFieldDef, LifecycleStage, SavedView
from guanxi.customers.selectors.accounts import ACCOUNT_SORTS, AccountFilters
from guanxi.customers.selectors.customer360 import customer_360, customer_timeline
from guanxi.customers.selectors.search import paginate_capped
from guanxi.customers.services import accounts as services
from guanxi.customers.services import exports, lists
from guanxi.customers.views.common import actor, file_response, page_number, render_page

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> AccountFilters:
    try:
        return AccountFilters.from_mapping(request.GET)
    except Invalid:
        return AccountFilters(search=request.GET.get("search", ""))


def _sort(request: HttpRequest) -> str | None:
    sort = request.GET.get("sort") or None
    return sort if sort and sort.lstrip("-") in ACCOUNT_SORTS else None


def _team_choices(user: User) -> list[Team]:
    """Teams whose accounts the user may see (all for admins and analysts)."""
    r = reach(user)
    qs = Team.objects.order_by("name")
    return list(qs if r.everything else qs.filter(pk__in=r.team_ids))


def _custom_filters(filters: AccountFilters) -> list[dict[str, object]]:
    """Account custom fields that filter by equality (text and choice), with current values."""
    return [
        {"def": d, "name": f"cf_{d.key}", "value": filters.custom.get(d.key, "")}
        for d in _custom_defs()
        if d.type in (CustomFieldDef.Type.TEXT, CustomFieldDef.Type.CHOICE)
    ]


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    filters = _filters(request)
    qs = order_by_allowed(
        selectors.account_list(actor=user, filters=filters),
        _sort(request),
        ACCOUNT_SORTS,
        "-updated_at",
    )
    page = paginate_capped(
        qs,
        page=page_number(request),
        page_size=PAGE_SIZE,
        searching=bool(filters.search),
        values=ACCOUNT_ROW_FIELDS,
    )
    # Search-as-you-type swaps only the table: the filter form's choices are not read for it.
    full_page = not getattr(request, "htmx", False)
    # The owner picker's users name most rows' owners too.
    owners = list(colleague_choices(actor=user)) if full_page else []
    page.items = account_rows(user, page.items, owners)
    context: dict[str, object] = {"page": page, "filters": filters}
    if full_page:
        context |= {
            "sort": request.GET.get("sort", ""),
            "stages": LifecycleStage.choices,
            "owners": owners,
            "teams": _team_choices(user),
            "custom_filters": _custom_filters(filters),
            "saved_views": SavedView.objects.filter(user=user, entity="account"),
            "can_create": has_perm(user, Account.resource, "create"),
            "can_export": has_perm(user, Account.resource, "export"),
            "query": request.GET.urlencode(),
        }
    return render_page(
        request, "customers/account_list.html", context, partial="customers/_account_table.html"
    )


@login_required
def account_export(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    qs = order_by_allowed(
        selectors.account_list(actor=user, filters=_filters(request)),
        _sort(request),
        ACCOUNT_SORTS,
        "-updated_at",
    )
    return file_response(
        *exports.accounts_export(actor=user, qs=qs, fmt=request.GET.get("format", "csv"))
    )


@login_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    from django.http import QueryDict

    params = QueryDict(query)
    filters = {k: v for k, v in params.items() if k not in ("page", "sort") and v}
    entity = "contact" if request.POST.get("entity") == "contact" else "account"
    view = lists.saved_view_create(
        actor=actor(request), entity=entity, name=request.POST.get("name", ""),
        filters=filters, sort=params.get("sort", ""),
    )  # fmt: skip
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{reverse(f'customers:{entity}-list')}?{query}")


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    lists.saved_view_delete(actor=actor(request), view_id=view_id)
    return redirect("customers:account-list")


def _custom_defs() -> list[CustomFieldDef]:
    return list(CustomFieldDef.objects.filter(entity="account"))


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    require_perm(user, Account.resource, "create")
    defs = _custom_defs()
    form = AccountForm(request.POST or None, custom_defs=defs, initial={"lifecycle_stage": "lead"})
    duplicates: list[selectors.accounts.DuplicateHit] = []
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if not form.cleaned_data.get("confirm_duplicate"):
            duplicates = selectors.duplicates_for(
                actor=user, name=data["name"], email=data.get("email", ""),
                mobile=data.get("mobile", ""), phone=data.get("phone", ""),
            )  # fmt: skip
        if not duplicates:
            try:
                account = services.account_create(actor=user, **data)
            except Invalid as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Account created."))
                return redirect("customers:account-detail", account_id=account.pk)
    status = 422 if request.method == "POST" else 200
    return render_page(
        request,
        "customers/account_form.html",
        {"form": form, "duplicates": duplicates, "account": None},
        status=status if (form.errors or duplicates) else 200,
    )


@login_required
def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    user = actor(request)
    account = selectors.account_get(actor=user, account_id=account_id)
    require_perm(user, Account.resource, "change")
    defs = _custom_defs()
    initial = {
        f: getattr(account, f)
        for f in AccountForm.base_fields
        if hasattr(account, f) and f != "tags"
    }
    initial["tags"] = ", ".join(account.tags.values_list("name", flat=True))
    initial.update({f"cf_{k}": v for k, v in (account.custom or {}).items()})
    form = AccountForm(request.POST or None, custom_defs=defs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_update(
                actor=user, account=account, changes=form.service_data(),
                expected_version=form.cleaned_data.get("version") or account.version,
            )  # fmt: skip
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Account saved."))
            return redirect("customers:account-detail", account_id=account.pk)
    return render_page(
        request,
        "customers/account_form.html",
        {"form": form, "account": account, "duplicates": []},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def account_delete(request: HttpRequest, account_id: int) -> HttpResponse:
    user = actor(request)
    account = selectors.account_get(actor=user, account_id=account_id)
    version = request.POST.get("version")
    services.account_delete(
        actor=user,
        account=account,
        expected_version=int(version) if version and version.isdigit() else None,
    )
    messages.success(request, _("Account moved to the recycle bin."))
    return redirect("customers:account-list")


@login_required
@require_POST
def account_restore(request: HttpRequest, account_id: int) -> HttpResponse:
    user = actor(request)
    account = selectors.account_get(actor=user, account_id=account_id, include_deleted=True)
    services.account_restore(actor=user, account=account)
    messages.success(request, _("Account restored."))
    return redirect("customers:account-detail", account_id=account.pk)


@login_required
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    """The customer 360 page."""
    user = actor(request)
    data = customer_360(actor=user, account_id=account_id, page=True)
    account = data["account"]
    data.update(
        {
            "stage_form": StageForm(initial={"stage": account.lifecycle_stage}),
            "activity_form": ActivityForm(initial={"kind": "call"}),
            "can_change": has_perm(user, Account.resource, "change"),
            "can_delete": has_perm(user, Account.resource, "delete"),
        }
    )
    return render_page(request, "customers/account_detail.html", data)


@login_required
def account_duplicates(request: HttpRequest, account_id: int) -> HttpResponse:
    """The 360 page's possible-duplicates warning, loaded after the page (HTMX)."""
    user = actor(request)
    account = selectors.account_get(actor=user, account_id=account_id)
    duplicates = selectors.duplicates_for(
        actor=user,
        name=account.name,
        email=account.email,
        mobile=account.mobile,
        phone=account.phone,
        exclude_id=account.pk,
    )
    return render_page(
        request,
        "customers/_account_duplicates.html",
        {
            "account": account,
            "duplicates": duplicates,
            "can_delete": has_perm(user, Account.resource, "delete"),
        },
    )


@login_required
def account_timeline(request: HttpRequest, account_id: int) -> HttpResponse:
    """The next page of the timeline (HTMX "load more")."""
    before_raw = request.GET.get("before", "")
    try:
        before = dt.datetime.fromisoformat(before_raw) if before_raw else None
    except ValueError:
        before = None
    data = customer_timeline(actor=actor(request), account_id=account_id, before=before)
    return render_page(request, "customers/_timeline.html", data)


@login_required
@require_POST
def account_stage(request: HttpRequest, account_id: int) -> HttpResponse:
    user = actor(request)
    account = selectors.account_get(actor=user, account_id=account_id)
    form = StageForm(request.POST)
    if form.is_valid():
        services.account_set_lifecycle_stage(
            actor=user,
            account=account,
            stage=form.cleaned_data["stage"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Lifecycle stage changed."))
    else:
        messages.error(request, _("Choose a lifecycle stage."))
    return redirect("customers:account-detail", account_id=account.pk)
