"""Accounts (organisations or consumers), their contacts, tags, lifecycle and custom fields."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.records import OwnedRecord, bin_index


class LifecycleStage(models.TextChoices):
    LEAD = "lead", _("Lead")
    PROSPECT = "prospect", _("Prospect")
    NEW = "new", _("New customer")
    ACTIVE = "active", pgettext_lazy("lifecycle stage", "Active")
    LOYAL = "loyal", _("Loyal / VIP")
    AT_RISK = "at_risk", _("At risk")
    CHURNED = "churned", _("Churned")
    WON_BACK = "won_back", _("Won back")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not given")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class Tag(models.Model):
    """A free label on accounts (e.g. 重点客户); names are unique."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class SearchKeys(models.Model):
    """Normalised keys for fast prefix search: lower-cased name, full pinyin, initials,
    e-mail and phone digits stored reversed (a suffix search becomes an indexed prefix search)."""

    search_name = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    search_pinyin = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    search_initials = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    email_key = models.CharField(max_length=254, blank=True, db_index=True, editable=False)
    phone_rev = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    phone2_rev = models.CharField(max_length=20, blank=True, db_index=True, editable=False)

    class Meta:
        abstract = True


class Account(OwnedRecord, SearchKeys):
    """A customer: an organisation or an individual consumer."""

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Organisation")
        INDIVIDUAL = "individual", _("Individual")

    resource: ClassVar[str] = "customers.account"

    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.ORGANIZATION
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English / pinyin name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    wechat = models.CharField(_("WeChat ID"), max_length=64, blank=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    region = models.CharField(_("region"), max_length=40, blank=True, db_index=True)
    source = models.CharField(_("source / channel"), max_length=60, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.LEAD,
    )
    consent_email = models.BooleanField(_("e-mail consent"), default=False)
    consent_sms = models.BooleanField(_("SMS consent"), default=False)
    consent_marketing = models.BooleanField(_("marketing consent"), default=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_how = models.CharField(_("how consent was given"), max_length=120, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="accounts")
    # The survivor this record was merged into (merged records stay in the recycle bin).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes: ClassVar[list[models.Index]] = [
            bin_index("account_bin_idx"),
            models.Index(fields=["owner", "deleted_at"], name="account_owner_idx"),
            models.Index(fields=["team", "deleted_at"], name="account_team_idx"),
            models.Index(fields=["lifecycle_stage", "deleted_at"], name="account_stage_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(OwnedRecord, SearchKeys):
    """A person at an organisation account; seen by whoever sees the account."""

    resource: ClassVar[str] = "customers.contact"

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English / pinyin name"), max_length=120, blank=True)
    title = models.CharField(_("job title"), max_length=80, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    wechat = models.CharField(_("WeChat ID"), max_length=64, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    consent_email = models.BooleanField(_("e-mail consent"), default=False)
    consent_sms = models.BooleanField(_("SMS consent"), default=False)
    consent_marketing = models.BooleanField(_("marketing consent"), default=False)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes: ClassVar[list[models.Index]] = [
            bin_index("contact_bin_idx"),
            models.Index(fields=["account", "deleted_at"], name="contact_account_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class LifecycleChange(models.Model):
    """One move of an account between lifecycle stages: the stage history."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("by hand")
        RULE = "rule", _("by rule")
        IMPORT = "import", _("by import")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="stage_history")
    from_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=LifecycleStage.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lifecycle change")
        verbose_name_plural = _("lifecycle changes")
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["account", "-at"], name="lifecycle_account_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class CustomFieldDef(models.Model):
    """An admin-defined extra field on accounts or contacts, validated on every write."""

    class Entity(models.TextChoices):
        ACCOUNT = "account", _("Account")
        CONTACT = "contact", _("Contact")

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        BOOL = "bool", _("Yes / no")
        CHOICE = "choice", _("Choice")

    entity = models.CharField(_("record type"), max_length=10, choices=Entity.choices)
    key = models.SlugField(_("key"), max_length=40)
    label_zh = models.CharField(_("label (Chinese)"), max_length=80)
    label_en = models.CharField(_("label (English)"), max_length=80)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering: ClassVar[list[str]] = ["entity", "order", "key"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["entity", "key"], name="customfield_entity_key_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.entity}.{self.key}"
