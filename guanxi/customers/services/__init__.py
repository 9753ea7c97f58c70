"""Customer writes. Import the sub-module for the full set; the common ones are re-exported."""

from guanxi.customers.services.accounts import (
    account_create,
    account_delete,
    account_restore,
    account_set_lifecycle_stage,
    account_set_lifecycle_stage_bulk,
    account_update,
)
from guanxi.customers.services.activities import (
    activity_complete,
    activity_create,
    activity_delete,
    activity_update,
)
from guanxi.customers.services.contacts import contact_create, contact_delete, contact_update
from guanxi.customers.services.merge import account_merge, register_merge_handler
from guanxi.customers.services.scores import ScoreRow, account_scores_bulk_upsert

__all__ = [
    "ScoreRow",
    "account_create",
    "account_delete",
    "account_merge",
    "account_restore",
    "account_scores_bulk_upsert",
    "account_set_lifecycle_stage",
    "account_set_lifecycle_stage_bulk",
    "account_update",
    "activity_complete",
    "activity_create",
    "activity_delete",
    "activity_update",
    "contact_create",
    "contact_delete",
    "contact_update",
    "register_merge_handler",
]
