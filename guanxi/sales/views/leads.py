"""Lead pages: list and pool, capture, detail with claim/release/convert, the web form."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, Invalid
from guanxi.core.permissions import has_perm
from guanxi.sales import selectors, services
from guanxi.sales.forms import ConvertForm, LeadForm, ScoreWeightsForm, WebLeadForm, apply_error
from guanxi.sales.models import Lead
from guanxi.sales.views.common import account_choices, actor, page_of


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    tab = request.GET.get("tab", "mine")
    search = request.GET.get("q", "").strip()
    qs = selectors.lead_list(
        actor=user, search=search, pool=(tab == "pool"), status=request.GET.get("status", "")
    ).order_by("-score", "-created_at", "-pk")
    context = {
        "page": page_of(request, qs),
        "tab": tab,
        "q": search,
        "can_create": has_perm(user, Lead.resource, "create"),
    }
    template = "sales/leads/_table.html" if request.htmx else "sales/leads/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def lead_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["campaign"] = data.get("campaign") or None
        try:
            lead = services.lead_create(actor=user, **data)
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Lead saved."))
            return redirect("sales:lead-detail", lead.pk)
    return render(request, "sales/leads/form.html", {"form": form, "creating": True})


@login_required
def lead_edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = actor(request)
    lead = selectors.lead_get(actor=user, lead_id=lead_id)
    initial = {f: getattr(lead, f) for f in LeadForm.base_fields}
    form = LeadForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial.get(k)}
        if "campaign" in changes:
            changes["campaign"] = changes["campaign"] or None
        try:
            services.lead_update(
                actor=user,
                lead=lead,
                changes=changes,
                expected_version=int(request.POST.get("version", lead.version)),
            )
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Lead saved."))
            return redirect("sales:lead-detail", lead.pk)
    return render(request, "sales/leads/form.html", {"form": form, "lead": lead})


@login_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = actor(request)
    lead = selectors.lead_get(actor=user, lead_id=lead_id)
    duplicates = (
        services.lead_duplicates(actor=user, lead=lead)
        if lead.status != Lead.Status.CONVERTED and not lead.in_pool
        else []
    )
    choices = [(str(a.pk), f"{a.name} (#{a.pk})") for a in duplicates]
    form = ConvertForm(
        accounts=choices + [c for c in account_choices(user) if c not in choices],
        initial={
            "account": choices[0][0] if choices else "new",
            "opportunity_name": lead.company or lead.name,
            "with_opportunity": True,
        },
    )
    return render(
        request,
        "sales/leads/detail.html",
        {"lead": lead, "duplicates": duplicates, "convert_form": form},
    )


@login_required
@require_POST
def lead_action(request: HttpRequest, lead_id: int, action: str) -> HttpResponse:
    user = actor(request)
    lead = selectors.lead_get(actor=user, lead_id=lead_id)
    if action == "claim":
        services.lead_claim(actor=user, lead=lead)
        messages.success(request, _("The lead is yours now."))
    elif action == "release":
        services.lead_release(actor=user, lead=lead)
        messages.success(request, _("The lead is back in the pool."))
    elif action == "interaction":
        services.lead_log_interaction(actor=user, lead=lead, note=request.POST.get("note", ""))
        messages.success(request, _("Interaction logged."))
    return redirect("sales:lead-detail", lead.pk)


@login_required
def lead_convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = actor(request)
    lead = selectors.lead_get(actor=user, lead_id=lead_id)
    if request.method != "POST":
        return redirect("sales:lead-detail", lead.pk)
    form = ConvertForm(request.POST, accounts=account_choices(user, request.POST.get("account")))
    if form.is_valid():
        choice = form.cleaned_data["account"]
        try:
            _account, opportunity = services.lead_convert(
                actor=user,
                lead=lead,
                account_id=None if choice == "new" else int(choice),
                create_account=choice == "new",
                opportunity_name=form.cleaned_data["opportunity_name"] or "",
                amount=form.cleaned_data["amount"],
                expected_close_date=form.cleaned_data["expected_close_date"],
                with_opportunity=bool(form.cleaned_data["with_opportunity"]),
            )
        except (Invalid, Conflict) as exc:
            apply_error(form, exc, {"account_id": "account"})
        else:
            messages.success(request, _("Lead converted."))
            if opportunity is not None:
                return redirect("sales:opportunity-detail", opportunity.pk)
            return redirect("sales:lead-detail", lead.pk)
    return render(
        request,
        "sales/leads/detail.html",
        {"lead": lead, "duplicates": [], "convert_form": form},
        status=422,
    )


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


@xframe_options_exempt
def web_lead(request: HttpRequest) -> HttpResponse:
    """The public, embeddable web-to-lead form (no sign-in)."""
    if request.method == "POST":
        form = WebLeadForm(request.POST)
        if form.is_valid():
            try:
                services.web_lead_submit(
                    data=form.cleaned_data,
                    ip=_client_ip(request),
                    honeypot=form.cleaned_data.get("website", ""),
                    seconds_taken=form.seconds_taken(),
                )
            except Invalid as exc:
                apply_error(form, exc)
            else:
                return render(request, "sales/leads/web_thanks.html")
        status = 422
    else:
        form = WebLeadForm(initial={"campaign": request.GET.get("campaign", "")})
        status = 200
    form.initial["ts"] = WebLeadForm.stamp()
    if form.is_bound:
        data = request.POST.copy()
        data["ts"] = WebLeadForm.stamp()
        form.data = data
    response = render(request, "sales/leads/web_form.html", {"form": form}, status=status)
    # Embeddable on any site: allow framing for this page only.
    response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors *"
    )
    return response


@login_required
def lead_scoring(request: HttpRequest) -> HttpResponse:
    """Admins tune the lead-score rule weights; every lead is rescored."""
    from guanxi.core.errors import PermissionDenied
    from guanxi.sales.services.leads import DEFAULT_SOURCE_POINTS, score_weights

    user = actor(request)
    if not (user.is_superuser or user.role_code == "admin"):
        raise PermissionDenied()
    weights = score_weights()
    points = {**DEFAULT_SOURCE_POINTS, **(weights.source_points or {})}
    initial: dict[str, object] = {
        "completeness": weights.completeness,
        "engagement": weights.engagement,
        "source": weights.source,
        **{f"points_{k}": v for k, v in points.items()},
    }
    form = ScoreWeightsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.lead_score_weights_update(
                actor=user,
                completeness=cd["completeness"],
                engagement=cd["engagement"],
                source=cd["source"],
                source_points={k: cd[f"points_{k}"] for k in Lead.Source.values},
            )
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Score weights saved; leads rescored."))
            return redirect("sales:lead-scoring")
    return render(request, "sales/leads/scoring.html", {"form": form})
