"""Web forms of the customers app: they parse input; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import DomainError
from guanxi.customers.models import Account, Activity, Gender, ImportJob, LifecycleStage


class Bootstrap:
    """Give every widget Bootstrap's classes so templates stay plain."""

    def _style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def apply_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's per-field messages on the form's fields (others on the form)."""
    for name, messages in error.fields.items():
        target = name.replace("custom.", "cf_")
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)


DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AccountForm(Bootstrap, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Account.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English / pinyin name"), max_length=200, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=32, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    wechat = forms.CharField(label=_("WeChat ID"), max_length=64, required=False)
    province = forms.CharField(label=_("Province"), max_length=40, required=False)
    city = forms.CharField(label=_("City"), max_length=40, required=False)
    district = forms.CharField(label=_("District"), max_length=40, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=60, required=False)
    region = forms.CharField(label=_("Region"), max_length=40, required=False)
    source = forms.CharField(label=_("Source / channel"), max_length=60, required=False)
    lifecycle_stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=LifecycleStage.choices)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=DATE)
    customer_since = forms.DateField(label=_("Customer since"), required=False, widget=DATE)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    consent_email = forms.BooleanField(label=_("Agrees to e-mail"), required=False)
    consent_sms = forms.BooleanField(label=_("Agrees to SMS"), required=False)
    consent_marketing = forms.BooleanField(label=_("Agrees to marketing"), required=False)
    consent_how = forms.CharField(label=_("How consent was given"), max_length=120, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Save anyway, this is not a duplicate"), required=False
    )

    def __init__(self, *args: Any, custom_defs: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.custom_defs = custom_defs or []
        for d in self.custom_defs:
            label = d.label_zh if _is_zh() else d.label_en
            name = f"cf_{d.key}"
            if d.type == "choice":
                self.fields[name] = forms.ChoiceField(
                    label=label, required=False, choices=[("", "—")] + [(c, c) for c in d.choices]
                )
            elif d.type == "bool":
                self.fields[name] = forms.BooleanField(label=label, required=False)
            else:
                self.fields[name] = forms.CharField(label=label, required=False)
        self._style()

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("confirm_duplicate", None)
        data["tags"] = [
            t.strip() for t in (data.get("tags") or "").replace("，", ",").split(",") if t.strip()
        ]
        custom = {}
        for d in self.custom_defs:
            value = data.pop(f"cf_{d.key}", None)
            if value not in (None, "", False) or d.type == "bool":
                custom[d.key] = value
        data["custom"] = custom
        return data


def _is_zh() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "zh-hans").startswith("zh")


class ContactForm(Bootstrap, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=120)
    title = forms.CharField(label=_("Job title"), max_length=80, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=32, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    wechat = forms.CharField(label=_("WeChat ID"), max_length=64, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


# "Remind me": minutes before the due time, or a time of one's own choosing.
REMIND_CUSTOM = "custom"
REMIND_BEFORE = {"0": 0, "15": 15, "60": 60, "1440": 1440}
REMIND_CHOICES = [
    ("", _("No reminder")),
    ("0", _("At the due time")),
    ("15", _("15 minutes before")),
    ("60", _("1 hour before")),
    ("1440", _("1 day before")),
    (REMIND_CUSTOM, _("At a time I choose")),
]


class ActivityForm(Bootstrap, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    occurred_at = forms.DateTimeField(label=_("When"), required=False, widget=DATETIME)
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=DATETIME)
    remind = forms.ChoiceField(
        label=_("Remind me"), required=False, choices=REMIND_CHOICES,
        help_text=_("In Guanxi and by e-mail, to whoever the task is assigned to."),
    )  # fmt: skip
    reminder_at = forms.DateTimeField(
        label=_("Reminder time"), required=False,
        widget=DATETIME,
        help_text=_("Used with “At a time I choose”."),
    )  # fmt: skip
    repeat_every_days = forms.IntegerField(
        label=_("Repeat every (days)"), required=False, min_value=1, max_value=3650,
        help_text=_("For periodic callbacks: the next task is created when this one is done."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    @staticmethod
    def remind_initial(due_at: Any, reminder_at: Any) -> str:
        """The "remind me" choice that describes a stored reminder."""
        if reminder_at is None:
            return ""
        if due_at is not None:
            minutes = (due_at - reminder_at).total_seconds() / 60
            for value, before in REMIND_BEFORE.items():
                if minutes == before:
                    return value
        return REMIND_CUSTOM

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        remind = data.get("remind") or ""
        if remind in REMIND_BEFORE:
            due = data.get("due_at")
            if due is None:
                self.add_error("due_at", _("Set a due time to be reminded before it."))
            else:
                data["reminder_at"] = due - dt.timedelta(minutes=REMIND_BEFORE[remind])
        elif remind == REMIND_CUSTOM:
            if data.get("reminder_at") is None:
                self.add_error("reminder_at", _("Choose when to be reminded."))
        elif "remind" in self.data:
            data["reminder_at"] = None
        return data

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "remind")}
        kept = {k: v for k, v in data.items() if v not in (None, "")}
        kept["body"] = data.get("body") or ""
        if "remind" in self.data:
            # "No reminder" clears a reminder that was set before.
            kept["reminder_at"] = data.get("reminder_at")
        for name in ("due_at", "repeat_every_days"):
            if name in self.data:  # a field sent empty clears what was set
                kept[name] = data.get(name)
        return kept


class StageForm(Bootstrap, forms.Form):
    stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=LifecycleStage.choices)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ImportUploadForm(Bootstrap, forms.Form):
    entity = forms.ChoiceField(label=_("Import"), choices=ImportJob.Entity.choices)
    file = forms.FileField(label=_("CSV or XLSX file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ImportMappingForm(Bootstrap, forms.Form):
    policy = forms.ChoiceField(label=_("Duplicates"), choices=ImportJob.Policy.choices)
    upsert_key = forms.ChoiceField(
        label=_("Match duplicates on"),
        choices=[("email", _("E-mail")), ("mobile", _("Mobile")), ("name", _("Name"))],
    )
    save_as = forms.CharField(label=_("Save this mapping as"), max_length=80, required=False)

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        targets: list[tuple[str, str]],
        initial_mapping: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        for i, header in enumerate(headers):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=header, required=False, choices=[("", _("(ignore)")), *targets],
                initial=initial_mapping.get(header, ""),
            )  # fmt: skip
        self._style()

    def mapping(self) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"col_{i}") or "" for i, h in enumerate(self.headers)}

    def column_fields(self) -> list[Any]:
        return [self[f"col_{i}"] for i in range(len(self.headers))]
