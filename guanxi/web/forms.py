"""Web forms: they parse and validate input; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import DomainError
from guanxi.core.models import Role, Team, User


def apply_domain_error(
    form: forms.Form, error: DomainError, *, field_map: Mapping[str, str] | None = None
) -> None:
    """Show a service's DomainError on the form: per-field messages on their fields.

    `field_map` renames service field names to form field names; messages for fields
    the form does not have (and the error's own message) become non-field errors.
    """
    mapping = field_map or {}
    placed = False
    for name, messages in error.fields.items():
        target = mapping.get(name, name)
        for message in messages:
            if target in form.fields:
                form.add_error(target, message)
                placed = True
            else:
                form.add_error(None, message)
    if not placed and not error.fields:
        form.add_error(None, error.message)


class BootstrapMixin:
    """Give every widget Bootstrap's classes so templates stay plain."""

    fields: dict[str, forms.Field]

    def _style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledForm(BootstrapMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        return valid

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if field and field in self.fields:
            widget = self.fields[field].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class LoginForm(StyledForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput
    )
    new_password1 = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class RoleChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        from guanxi.web.templatetags.guanxi_web import role_label

        return role_label(obj)


class UserFieldsForm(StyledForm):
    display_name = forms.CharField(label=_("Display name"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    role = RoleChoiceField(label=_("Role"), queryset=Role.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    manager = forms.ModelChoiceField(
        label=_("Manager"), queryset=User.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        roles: Any = None,
        teams: Any = None,
        managers: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        if roles is None:
            del f["role"]
        else:
            f["role"].queryset = roles  # type: ignore[attr-defined]
        f["team"].queryset = teams if teams is not None else Team.objects.none()  # type: ignore[attr-defined]
        f["manager"].queryset = managers if managers is not None else User.objects.none()  # type: ignore[attr-defined]
        f["team"].empty_label = _("(no team)")  # type: ignore[attr-defined]
        f["manager"].empty_label = _("(no manager)")  # type: ignore[attr-defined]


class UserCreateForm(UserFieldsForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Initial password"), strip=False, widget=forms.PasswordInput)
    field_order = ["username", "password", "display_name", "email", "phone", "role", "team"]  # noqa: RUF012


class UserEditForm(UserFieldsForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    # The fields a user edit may change; `version` only guards the write.
    EDITABLE = (
        "display_name",
        "email",
        "phone",
        "role",
        "team",
        "manager",
        "language",
        "is_active",
    )

    def changes(self) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in self.changed_data if n in self.EDITABLE}


class TeamForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    lead = forms.ModelChoiceField(
        label=_("Team lead"), queryset=User.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, leads: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads if leads is not None else User.objects.none()  # type: ignore[attr-defined]
        self.fields["lead"].empty_label = _("(no lead)")  # type: ignore[attr-defined]


class TokenCreateForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        help_text=_("Leave empty for a token that does not expire."),
    )


class UserFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, teams: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()  # type: ignore[attr-defined]
        self.fields["team"].empty_label = _("All teams")  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs["placeholder"] = _("Name, username or e-mail")


class AuditFilterForm(StyledForm):
    object_type = forms.CharField(label=_("Record type"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    actor = forms.ModelChoiceField(label=_("Who"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, actors: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = actors if actors is not None else User.objects.none()  # type: ignore[attr-defined]
        self.fields["actor"].empty_label = _("Anyone")  # type: ignore[attr-defined]
        self.fields["object_type"].widget.attrs.update(
            {"list": "audit-types", "placeholder": "core.user"}
        )


class PreferencesForm(StyledForm):
    email_notifications = forms.BooleanField(
        label=_("Also send my notifications by e-mail"),
        required=False,
        help_text=_(
            "Task reminders and other notifications, sent to your account's e-mail address."
        ),
    )
