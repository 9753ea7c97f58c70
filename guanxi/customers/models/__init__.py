"""Customers: accounts, contacts, activities, scores and the import/list bookkeeping."""

from guanxi.customers.models.accounts import (
    Account,
    Contact,
    CustomFieldDef,
    Gender,
    LifecycleChange,
    LifecycleStage,
    Tag,
)
from guanxi.customers.models.activities import Activity
from guanxi.customers.models.imports import ImportJob, ImportMapping, ImportRowError
from guanxi.customers.models.lists import SavedView
from guanxi.customers.models.scores import CustomerScore

__all__ = [
    "Account",
    "Activity",
    "Contact",
    "CustomFieldDef",
    "CustomerScore",
    "Gender",
    "ImportJob",
    "ImportMapping",
    "ImportRowError",
    "LifecycleChange",
    "LifecycleStage",
    "SavedView",
    "Tag",
]
