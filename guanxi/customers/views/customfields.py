"""Administration of custom field definitions: list, create, edit, delete."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.core.errors import Invalid
from guanxi.core.permissions import require_perm
from guanxi.customers.forms import apply_error
from guanxi.customers.models import CustomFieldDef
from guanxi.customers.services import lists
from guanxi.customers.views.common import actor, render_page

RESOURCE = "customers.customfield"


class CustomFieldForm(forms.Form):
    entity = forms.ChoiceField(
        label=gettext_lazy("record type"), choices=CustomFieldDef.Entity.choices
    )
    key = forms.SlugField(label=gettext_lazy("key"), max_length=40)
    label_zh = forms.CharField(label=gettext_lazy("label (Chinese)"), max_length=80)
    label_en = forms.CharField(label=gettext_lazy("label (English)"), max_length=80)
    type = forms.ChoiceField(label=gettext_lazy("type"), choices=CustomFieldDef.Type.choices)
    required = forms.BooleanField(label=gettext_lazy("required"), required=False)
    choices = forms.CharField(
        label=gettext_lazy("choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One choice a line; only for choice fields."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # Stored values are keyed by record type and key: those cannot change.
            for name in ("entity", "key"):
                self.fields[name].disabled = True

    def clean_choices(self) -> list[str]:
        raw = self.cleaned_data.get("choices") or ""
        return [line.strip() for line in str(raw).splitlines() if line.strip()]


def _initial(defn: CustomFieldDef) -> dict[str, Any]:
    return {
        "entity": defn.entity,
        "key": defn.key,
        "label_zh": defn.label_zh,
        "label_en": defn.label_en,
        "type": defn.type,
        "required": defn.required,
        "choices": "\n".join(str(c) for c in defn.choices),
    }


@login_required
def custom_field_list(request: HttpRequest) -> HttpResponse:
    require_perm(actor(request), RESOURCE, "change")
    return render_page(
        request, "customers/customfield_list.html", {"defs": CustomFieldDef.objects.all()}
    )


@login_required
def custom_field_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    require_perm(user, RESOURCE, "create")
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lists.custom_field_create(actor=user, **form.cleaned_data)
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Custom field saved."))
            return redirect("customers:customfield-list")
    return render_page(
        request, "customers/customfield_form.html", {"form": form, "defn": None},
        status=422 if form.errors else 200,
    )  # fmt: skip


@login_required
def custom_field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    user = actor(request)
    require_perm(user, RESOURCE, "change")
    defn = get_object_or_404(CustomFieldDef, pk=field_id)
    form = CustomFieldForm(request.POST or None, initial=_initial(defn), editing=True)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("entity", "key")}
        try:
            lists.custom_field_update(actor=user, defn=defn, **data)
        except Invalid as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Custom field saved."))
            return redirect("customers:customfield-list")
    return render_page(
        request, "customers/customfield_form.html", {"form": form, "defn": defn},
        status=422 if form.errors else 200,
    )  # fmt: skip


@login_required
@require_POST
def custom_field_delete(request: HttpRequest, field_id: int) -> HttpResponse:
    user = actor(request)
    require_perm(user, RESOURCE, "delete")
    defn = get_object_or_404(CustomFieldDef, pk=field_id)
    lists.custom_field_delete(actor=user, defn=defn)
    messages.success(request, _("Custom field deleted."))
    return redirect("customers:customfield-list")
