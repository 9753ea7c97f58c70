"""Sales web forms: they parse input; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import DomainError
from guanxi.sales.models import Contract, Lead, SalesTarget, Stage

LINE_ROWS = 5


def apply_error(
    form: forms.Form, error: DomainError, mapping: Mapping[str, str] | None = None
) -> None:
    """Put a service's per-field messages on the form's fields (others on the form)."""
    mapping = mapping or {}
    placed = False
    for name, messages in error.fields.items():
        target = mapping.get(name, name)
        for message in messages:
            if target in form.fields:
                form.add_error(target, message)
            else:
                form.add_error(None, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        """Mark the fields in error: Bootstrap shows a field's message only next to an
        `is-invalid` input (validation and service errors both come through here)."""
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    widget.attrs["class"] = f"{css} is-invalid".strip()


class DateInput(forms.DateInput):
    input_type = "date"


class LeadForm(Styled):
    name = forms.CharField(label=_("Contact name"), max_length=120)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=32, required=False)
    region = forms.CharField(label=_("Region"), max_length=60, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Lead.Source.choices, initial="other")
    campaign = forms.CharField(label=_("Campaign"), max_length=120, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[c for c in Lead.Status.choices if c[0] != "converted"],
        initial="new",
    )
    qualification_note = forms.CharField(
        label=_("Qualification"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ScoreWeightsForm(Styled):
    completeness = forms.IntegerField(label=_("Completeness weight"), min_value=0, max_value=100)
    engagement = forms.IntegerField(label=_("Engagement weight"), min_value=0, max_value=100)
    source = forms.IntegerField(label=_("Source weight"), min_value=0, max_value=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Lead.Source.choices:
            self.fields[f"points_{value}"] = forms.IntegerField(
                label=_("Points for source: %(source)s") % {"source": label},
                min_value=0,
                max_value=100,
            )
            self.fields[f"points_{value}"].widget.attrs["class"] = "form-control form-control-sm"


class ConvertForm(Styled):
    account = forms.ChoiceField(label=_("Account"), required=True)
    opportunity_name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, required=False)
    expected_close_date = forms.DateField(
        label=_("Expected close date"), widget=DateInput, required=False
    )
    with_opportunity = forms.BooleanField(
        label=_("Create an opportunity"), required=False, initial=True
    )

    def __init__(self, *args: Any, accounts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("new", str(_("Create a new account"))), *accounts]
        self.fields["account"].choices = choices  # type: ignore[attr-defined]


class WebLeadForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=32, required=False)
    region = forms.CharField(label=_("City / region"), max_length=60, required=False)
    notes = forms.CharField(
        label=_("How can we help?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    campaign = forms.CharField(widget=forms.HiddenInput, required=False)
    # Spam guards: a field people never see, and the time the form was served (signed).
    website = forms.CharField(required=False, label=_("Leave this empty"))
    ts = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["class"] = "form-control"
        self.fields["website"].widget.attrs.update(
            {"tabindex": "-1", "autocomplete": "off", "class": "form-control"}
        )

    @staticmethod
    def stamp() -> str:
        import time

        return signing.dumps(time.time(), salt="sales.web-lead")

    def seconds_taken(self) -> float | None:
        import time

        try:
            served = float(
                signing.loads(self.data.get("ts", ""), salt="sales.web-lead", max_age=86400)
            )
        except (signing.BadSignature, TypeError, ValueError):
            return None
        return time.time() - served


class OpportunityForm(Styled):
    account = forms.ChoiceField(label=_("Account"))
    name = forms.CharField(label=_("Name"), max_length=200)
    stage = forms.ChoiceField(label=_("Stage"))
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, required=False)
    expected_close_date = forms.DateField(
        label=_("Expected close date"), widget=DateInput, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self,
        *args: Any,
        accounts: list[tuple[str, str]],
        stages: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = accounts  # type: ignore[attr-defined]
        self.fields["stage"].choices = stages  # type: ignore[attr-defined]


class CloseForm(Styled):
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, required=False)
    lost_reason = forms.CharField(label=_("Lost reason"), max_length=200, required=False)


class ProductForm(Styled):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    category = forms.CharField(label=_("Category"), max_length=80, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, initial="件")
    list_price = forms.DecimalField(label=_("List price"), max_digits=18, decimal_places=4)
    tax_rate = forms.DecimalField(
        label=_("Tax rate"), max_digits=5, decimal_places=4, initial="0.13"
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class LinesForm(Styled):
    """Account, price list and up to LINE_ROWS lines (product, quantity, discount)."""

    account = forms.ChoiceField(label=_("Account"))
    price_list = forms.ChoiceField(label=_("Price list"), required=False)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput, required=False)
    region = forms.CharField(label=_("Region"), max_length=60, required=False)
    coupon_codes = forms.CharField(label=_("Coupon codes"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self,
        *args: Any,
        accounts: list[tuple[str, str]],
        products: list[tuple[str, str]],
        price_lists: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = accounts  # type: ignore[attr-defined]
        self.fields["price_list"].choices = [("", "—"), *price_lists]  # type: ignore[attr-defined]
        for i in range(LINE_ROWS):
            self.fields[f"product_{i}"] = forms.ChoiceField(
                label=_("Product"), choices=[("", "—"), *products], required=False
            )
            self.fields[f"quantity_{i}"] = forms.DecimalField(
                label=_("Quantity"), max_digits=12, decimal_places=3, required=False
            )
            self.fields[f"discount_{i}"] = forms.DecimalField(
                label=_("Discount"), max_digits=18, decimal_places=2, required=False
            )
        for name in list(self.fields)[6:]:
            w = self.fields[name].widget
            css = (
                "form-select form-select-sm"
                if isinstance(w, forms.Select)
                else "form-control form-control-sm"
            )
            w.attrs["class"] = css

    def line_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "product": self[f"product_{i}"],
                "quantity": self[f"quantity_{i}"],
                "discount": self[f"discount_{i}"],
            }
            for i in range(LINE_ROWS)
        ]

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for i in range(LINE_ROWS):
            product = self.cleaned_data.get(f"product_{i}")
            if not product:
                continue
            out.append(
                {
                    "product_id": product,
                    "quantity": self.cleaned_data.get(f"quantity_{i}"),
                    "discount": self.cleaned_data.get(f"discount_{i}"),
                }
            )
        return out

    def field_map(self) -> dict[str, str]:
        """Service errors on the nth line (lines.n.quantity) go to the nth filled row."""
        mapping: dict[str, str] = {}
        filled = [i for i in range(LINE_ROWS) if self.cleaned_data.get(f"product_{i}")]
        for n, i in enumerate(filled):
            for part in ("product", "quantity", "discount"):
                key = "product_id" if part == "product" else part
                mapping[f"lines.{n}.{key}"] = f"{part}_{i}"
        mapping["lines"] = "product_0"
        return mapping


class PaymentForm(Styled):
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2)
    method = forms.CharField(label=_("Method"), max_length=40, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=120, required=False)


class ContractForm(Styled):
    account = forms.ChoiceField(label=_("Account"))
    title = forms.CharField(label=_("Title"), max_length=200)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(label=_("End date"), widget=DateInput)
    renewal_date = forms.DateField(label=_("Renewal date"), widget=DateInput, required=False)
    remind_days_before = forms.IntegerField(
        label=_("Remind days before"), min_value=0, max_value=365, initial=30
    )
    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=2)
    status = forms.ChoiceField(
        label=_("Status"), choices=Contract.Status.choices, initial="active", required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, accounts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = accounts  # type: ignore[attr-defined]


class TargetForm(Styled):
    who = forms.ChoiceField(label=_("Rep or team"))
    period_kind = forms.ChoiceField(label=_("Period"), choices=SalesTarget.Period.choices)
    period_start = forms.DateField(label=_("Any day in the period"), widget=DateInput)
    amount = forms.DecimalField(label=_("Target"), max_digits=18, decimal_places=2)

    def __init__(self, *args: Any, who: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = who  # type: ignore[attr-defined]


class PipelineForm(Styled):
    """A new pipeline: its name and its stages, one a line as "name, probability, kind"."""

    name = forms.CharField(label=_("Name"), max_length=120)
    is_default = forms.BooleanField(label=_("Default pipeline"), required=False)
    stages = forms.CharField(
        label=_("Stages"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_(
            'One stage a line: "name, probability, kind" (kind is open, won or lost). '
            "At least one open, one won and one lost stage."
        ),
    )

    def clean_stages(self) -> list[tuple[str, int, str]]:
        rows: list[tuple[str, int, str]] = []
        for number, line in enumerate(self.cleaned_data["stages"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) != 3 or not parts[1].isdigit():
                raise forms.ValidationError(
                    _("Line %(number)s: write name, probability, kind."),
                    params={"number": number},
                )
            rows.append((parts[0], int(parts[1]), parts[2].lower()))
        return rows


class PriceListPriceForm(Styled):
    product = forms.ChoiceField(label=_("Product"))
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, products: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = products  # type: ignore[attr-defined]


class PipelineNameForm(Styled):
    name = forms.CharField(label=_("Name"), max_length=200)


class StageForm(Styled):
    """A stage's name, probability and kind (the service checks the values and the rules)."""

    name = forms.CharField(label=_("Stage name"), max_length=200)
    probability = forms.IntegerField(label=_("Probability (%)"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Stage.Kind.choices, initial="open")


class StageRemoveForm(Styled):
    target = forms.ChoiceField(label=_("Move its open deals to"), required=False)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—"), *targets]  # type: ignore[attr-defined]


class OpportunityLinesForm(Styled):
    """The price list and one row per product line: product, quantity, unit price (empty:
    from the price list), discount %. Empty rows are ignored."""

    price_list = forms.ChoiceField(label=_("Price list"), required=False)

    def __init__(
        self,
        *args: Any,
        rows: int,
        products: list[tuple[str, str]],
        price_lists: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["price_list"].choices = [  # type: ignore[attr-defined]
            ("", str(_("List prices"))),
            *price_lists,
        ]
        for i in range(rows):
            self.fields[f"product_{i}"] = forms.ChoiceField(
                label=_("Product"), choices=[("", "—"), *products], required=False
            )
            self.fields[f"quantity_{i}"] = forms.DecimalField(
                label=_("Quantity"), max_digits=12, decimal_places=3, required=False
            )
            self.fields[f"unit_price_{i}"] = forms.DecimalField(
                label=_("Unit price"), max_digits=18, decimal_places=4, required=False
            )
            self.fields[f"discount_percent_{i}"] = forms.DecimalField(
                label=_("Discount (%)"), max_digits=5, decimal_places=2, required=False
            )
        for name, field in self.fields.items():
            if name != "price_list":
                css = (
                    "form-select form-select-sm"
                    if isinstance(field.widget, forms.Select)
                    else "form-control form-control-sm"
                )
                field.widget.attrs["class"] = css

    PARTS = ("product", "quantity", "unit_price", "discount_percent")

    def line_rows(self) -> list[dict[str, Any]]:
        return [{part: self[f"{part}_{i}"] for part in self.PARTS} for i in range(self.rows)]

    def filled(self) -> list[int]:
        return [i for i in range(self.rows) if self.cleaned_data.get(f"product_{i}")]

    def lines(self) -> list[dict[str, Any]]:
        return [
            {
                "product_id": self.cleaned_data[f"product_{i}"],
                "quantity": self.cleaned_data.get(f"quantity_{i}"),
                "unit_price": self.cleaned_data.get(f"unit_price_{i}"),
                "discount_percent": self.cleaned_data.get(f"discount_percent_{i}"),
            }
            for i in self.filled()
        ]

    def field_map(self) -> dict[str, str]:
        """Service errors on the nth line (lines.n.quantity) go to the nth filled row."""
        mapping = {"price_list_id": "price_list"}
        for n, i in enumerate(self.filled()):
            for part in self.PARTS:
                key = "product_id" if part == "product" else part
                mapping[f"lines.{n}.{key}"] = f"{part}_{i}"
        return mapping
