"""Customer reads, each scoped to what the actor may see."""

from guanxi.customers.selectors.accounts import (
    AccountFilters,
    account_get,
    account_list,
    account_stages,
    contact_duplicates_for,
    contact_duplicates_scan,
    duplicates_for,
    duplicates_scan,
)
from guanxi.customers.selectors.activities import activity_get, activity_list, my_day
from guanxi.customers.selectors.contacts import contact_get, contact_list

__all__ = [
    "AccountFilters",
    "account_get",
    "account_list",
    "account_stages",
    "activity_get",
    "activity_list",
    "contact_duplicates_for",
    "contact_duplicates_scan",
    "contact_get",
    "contact_list",
    "duplicates_for",
    "duplicates_scan",
    "my_day",
]
