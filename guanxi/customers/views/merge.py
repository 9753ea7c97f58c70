"""Duplicate scan and the reviewed merge of two accounts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid
from guanxi.core.permissions import has_perm
from guanxi.customers import selectors
from guanxi.customers.models import Contact
from guanxi.customers.services import merge
from guanxi.customers.views.common import actor, int_or_none, render_page


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    pairs = selectors.duplicates_scan(actor=user, limit=100)
    contact_pairs = (
        selectors.contact_duplicates_scan(actor=user, limit=100)
        if has_perm(user, Contact.resource, "view")
        else []
    )
    return render_page(
        request,
        "customers/duplicates.html",
        {"pairs": pairs, "contact_pairs": contact_pairs},
    )


@login_required
def account_merge(request: HttpRequest, account_id: int) -> HttpResponse:
    """GET shows what would move (?other=<id>); POST runs the merge."""
    user = actor(request)
    survivor = selectors.account_get(actor=user, account_id=account_id)
    other_id = int_or_none(request.POST.get("other") or request.GET.get("other"))
    if other_id is None:
        raise Invalid(fields={"other": [_("Choose the account to merge into this one.")]})
    merged = selectors.account_get(actor=user, account_id=other_id)
    if request.method == "POST":
        merge.account_merge(
            actor=user, survivor=survivor, merged=merged,
            expected_version=int_or_none(request.POST.get("version")),
        )  # fmt: skip
        messages.success(request, _("Accounts merged."))
        return redirect("customers:account-detail", account_id=survivor.pk)
    preview = merge.merge_preview(actor=user, survivor=survivor, merged=merged)
    return render_page(
        request,
        "customers/merge.html",
        {"survivor": survivor, "merged": merged, "preview": preview},
    )
