"""The customers app's resources and each role's default grants."""

from guanxi.core.permissions import ALL, EDIT, READ, READ_EXPORT, register_resource

CUSTOMER_ROLES_DEFAULTS = {
    "manager": ALL,
    "sales": EDIT | {"delete", "export"},
    "service": EDIT,
    "marketing": READ_EXPORT,
    "analyst": READ_EXPORT,
    "read_only": READ,
}

register_resource("customers.account", label="Accounts", defaults=CUSTOMER_ROLES_DEFAULTS)
