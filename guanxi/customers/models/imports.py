"""Import jobs: an uploaded file, its column mapping, and a cursor that makes it resumable."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One import of a CSV/XLSX file; each chunk commits together with `cursor`."""

    resource: ClassVar[str] = "customers.import"

    class Entity(models.TextChoices):
        ACCOUNT = "account", _("Accounts")
        CONTACT = "contact", _("Contacts")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Policy(models.TextChoices):
        SKIP = "skip", _("Skip duplicates")
        UPDATE = "update", _("Update duplicates")
        CREATE = "create", _("Create anyway")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entity = models.CharField(max_length=10, choices=Entity.choices, default=Entity.ACCOUNT)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    encoding = models.CharField(max_length=20, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)  # column header -> field
    policy = models.CharField(max_length=10, choices=Policy.choices, default=Policy.SKIP)
    upsert_key = models.CharField(max_length=20, default="email")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total_rows = models.PositiveIntegerField(default=0)
    cursor = models.PositiveIntegerField(default=0)  # data rows fully processed
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else min(100, self.cursor * 100 // self.total_rows)


class ImportRowError(models.Model):
    """A problem with one row of an import (row numbers count the header as row 1)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField()
    field = models.CharField(max_length=60, blank=True)
    message = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, default="error")  # error | duplicate

    class Meta:
        ordering: ClassVar[list[str]] = ["row", "id"]

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


class ImportMapping(models.Model):
    """A column mapping saved for reuse with files that have the same headers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=10, default="account")
    name = models.CharField(max_length=80)
    mapping = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return self.name
