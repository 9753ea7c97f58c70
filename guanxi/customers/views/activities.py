"""Activity pages: log or schedule on an account, edit, complete, my day, contacts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import Invalid
from guanxi.core.pagination import order_by_allowed
from guanxi.core.permissions import has_perm, require_perm
from guanxi.customers import selectors
from guanxi.customers.forms import ActivityForm, ContactForm, apply_error
from guanxi.customers.models import Activity, Contact, SavedView
from guanxi.customers.selectors.contacts import CONTACT_SORTS
from guanxi.customers.selectors.search import paginate_capped
from guanxi.customers.services import activities as activity_services
from guanxi.customers.services import contacts as contact_services
from guanxi.customers.services import exports
from guanxi.customers.views.common import (
    actor,
    file_response,
    int_or_none,
    page_number,
    render_page,
)


@login_required
@require_POST
def activity_create(request: HttpRequest, account_id: int) -> HttpResponse:
    user = actor(request)
    account = selectors.account_get(actor=user, account_id=account_id)
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            activity_services.activity_create(actor=user, account=account, **form.service_data())
        except Invalid as exc:
            messages.error(
                request, "; ".join(m for ms in exc.fields.values() for m in ms) or exc.message
            )
        else:
            messages.success(request, _("Activity saved."))
    else:
        messages.error(request, _("Check the activity: a subject is required."))
    return redirect("customers:account-detail", account_id=account.pk)


@login_required
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    user = actor(request)
    activity = selectors.activity_get(actor=user, activity_id=activity_id)
    require_perm(user, Activity.resource, "change")
    initial = {f: getattr(activity, f) for f in ActivityForm.base_fields if hasattr(activity, f)}
    initial["remind"] = ActivityForm.remind_initial(activity.due_at, activity.reminder_at)
    form = ActivityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity_services.activity_update(
                actor=user, activity=activity, changes=form.service_data(),
                expected_version=form.cleaned_data.get("version") or activity.version,
            )  # fmt: skip
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("customers:account-detail", account_id=activity.account_id)
    return render_page(
        request, "customers/activity_form.html", {"form": form, "activity": activity},
        status=422 if form.errors else 200,
    )  # fmt: skip


@login_required
@require_POST
def activity_complete(request: HttpRequest, activity_id: int) -> HttpResponse:
    user = actor(request)
    activity = selectors.activity_get(actor=user, activity_id=activity_id)
    _done, following = activity_services.activity_complete(
        actor=user, activity=activity, expected_version=int_or_none(request.POST.get("version"))
    )
    if following is not None:
        messages.success(
            request, _("Done. The next callback is due %(due)s.") % {"due": following.due_at}
        )
    else:
        messages.success(request, _("Task done."))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("customers:my-day")
    return redirect(target)


@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    return render_page(request, "customers/my_day.html", selectors.my_day(actor=actor(request)))


@login_required
def activity_ics(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    qs = selectors.activity_list(actor=user, open_tasks=True)[:5000]
    return file_response(
        exports.activities_ics(actor=user, activities=qs, host=request.get_host()),
        "text/calendar; charset=utf-8",
        "guanxi.ics",
    )


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    search = request.GET.get("search", "")
    sort = request.GET.get("sort") or None
    sort = sort if sort and sort.lstrip("-") in CONTACT_SORTS else None
    qs = order_by_allowed(
        selectors.contact_list(actor=user, search=search), sort, CONTACT_SORTS, "-updated_at"
    )
    page = paginate_capped(qs, page=page_number(request), page_size=50, searching=bool(search))
    context = {
        "page": page,
        "search": search,
        "can_export": has_perm(user, Contact.resource, "export"),
        "saved_views": SavedView.objects.filter(user=user, entity="contact"),
        "query": request.GET.urlencode(),
    }
    return render_page(
        request, "customers/contact_list.html", context, partial="customers/_contact_table.html"
    )


@login_required
def contact_export(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    qs = selectors.contact_list(actor=user, search=request.GET.get("search", "")).order_by("pk")
    fmt = request.GET.get("format", "csv")
    if fmt == "vcf":
        body = exports.contacts_vcard(actor=user, contacts=qs[:100000].iterator(chunk_size=2000))
        return file_response(body, "text/vcard; charset=utf-8", "contacts.vcf")
    return file_response(*exports.contacts_export(actor=user, qs=qs, fmt=fmt))


@login_required
def contact_create(request: HttpRequest, account_id: int) -> HttpResponse:
    user = actor(request)
    account = selectors.account_get(actor=user, account_id=account_id)
    require_perm(user, Contact.resource, "create")
    form = ContactForm(request.POST or None)
    duplicates: list[Contact] = []
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if not request.POST.get("confirm_duplicate"):
            # A similar name at the same company: warn with a link before saving.
            duplicates = selectors.contact_duplicates_for(
                actor=user, account_id=account.pk, name=data.get("name", "")
            )
        if not duplicates:
            try:
                contact_services.contact_create(actor=user, account=account, **data)
            except Invalid as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Contact added."))
                return redirect("customers:account-detail", account_id=account.pk)
    return render_page(
        request,
        "customers/contact_form.html",
        {"form": form, "account": account, "contact": None, "duplicates": duplicates},
        status=422 if (form.errors or duplicates) else 200,
    )


@login_required
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = actor(request)
    contact = selectors.contact_get(actor=user, contact_id=contact_id)
    require_perm(user, Contact.resource, "change")
    initial = {f: getattr(contact, f) for f in ContactForm.base_fields}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            contact_services.contact_update(
                actor=user, contact=contact, changes=data,
                expected_version=form.cleaned_data.get("version") or contact.version,
            )  # fmt: skip
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("customers:account-detail", account_id=contact.account_id)
    return render_page(
        request, "customers/contact_form.html", {"form": form, "account": contact.account, "contact": contact},
        status=422 if form.errors else 200,
    )  # fmt: skip


@login_required
@require_POST
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = actor(request)
    contact = selectors.contact_get(actor=user, contact_id=contact_id)
    contact_services.contact_delete(
        actor=user, contact=contact, expected_version=int_or_none(request.POST.get("version"))
    )
    messages.success(request, _("Contact moved to the recycle bin."))
    return redirect("customers:account-detail", account_id=contact.account_id)


@login_required
def contact_vcard(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = actor(request)
    contact = selectors.contact_get(actor=user, contact_id=contact_id)
    return file_response(
        exports.contacts_vcard(actor=user, contacts=[contact]),
        "text/vcard; charset=utf-8",
        f"contact-{contact.pk}.vcf",
    )
