"""Settings → recycle bin: deleted records the user may restore."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core import selectors
from guanxi.core.models import User
from guanxi.core.records import record_get, record_restore


@login_required
def recycle_bin(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    return render(
        request, "web/settings/recycle_bin.html", {"items": selectors.recycle_bin(actor=actor)}
    )


@require_POST
@login_required
def recycle_restore(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    model = selectors.recycle_bin_model(request.POST.get("model", ""))
    obj = record_get(actor, model, request.POST.get("pk"), include_deleted=True)
    restored = record_restore(actor=actor, obj=obj)
    messages.success(request, _("%(record)s was restored.") % {"record": restored})
    return redirect("web:recycle-bin")
