"""The sales app's resources and each role's default grants.

Reps edit their own records (the services refuse changes to a teammate's record),
managers everything in their reach, read-only users view, analysts view and export.
"""

from guanxi.core.permissions import ALL, EDIT, READ, READ_EXPORT, register_resource

OWNED_DEFAULTS = {
    "manager": ALL,
    "sales": EDIT | {"delete", "export"},
    "service": READ,
    "marketing": READ_EXPORT,
    "analyst": READ_EXPORT,
    "read_only": READ,
}
LEAD_DEFAULTS = {**OWNED_DEFAULTS, "marketing": EDIT | {"export"}}
CATALOGUE_DEFAULTS = {
    "manager": ALL,
    "sales": READ,
    "service": READ,
    "marketing": READ,
    "analyst": READ_EXPORT,
    "read_only": READ,
}
TARGET_DEFAULTS = {
    "manager": ALL,
    "sales": READ,
    "analyst": READ_EXPORT,
    "read_only": READ,
}

register_resource("sales.lead", label="Leads", defaults=LEAD_DEFAULTS)
register_resource("sales.opportunity", label="Opportunities", defaults=OWNED_DEFAULTS)
register_resource("sales.product", label="Products and price lists", defaults=CATALOGUE_DEFAULTS)
register_resource("sales.quote", label="Quotes", defaults=OWNED_DEFAULTS)
register_resource("sales.order", label="Orders", defaults=OWNED_DEFAULTS)
register_resource("sales.contract", label="Contracts", defaults=OWNED_DEFAULTS)
register_resource("sales.target", label="Sales targets", defaults=TARGET_DEFAULTS)
