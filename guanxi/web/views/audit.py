"""Settings → audit log: who changed what, when, before → after."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from guanxi.core import selectors
from guanxi.core.models import User
from guanxi.core.pagination import paginate
from guanxi.web.forms import AuditFilterForm
from guanxi.web.rendering import page_number, render_page

PAGE_SIZE = 50


def _record_types() -> list[str]:
    return sorted(
        m._meta.label_lower for m in apps.get_models() if m.__module__.startswith("guanxi.")
    )


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    form = AuditFilterForm(request.GET or None, actors=selectors.colleague_choices(actor=actor))
    filters: dict[str, object] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "object_type": (data.get("object_type") or "").strip(),
            "object_id": (data.get("object_id") or "").strip(),
            "actor_id": data["actor"].pk if data.get("actor") else None,
        }
    page = paginate(
        selectors.audit_list(actor=actor, **filters),  # type: ignore[arg-type]
        page=page_number(request),
        page_size=PAGE_SIZE,
    )
    context = {"form": form, "page": page, "record_types": _record_types()}
    return render_page(
        request, "web/settings/audit_list.html", context, partial="web/settings/_audit_table.html"
    )
