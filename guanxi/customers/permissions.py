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
register_resource("customers.contact", label="Contacts", defaults=CUSTOMER_ROLES_DEFAULTS)
register_resource(
    "customers.activity",
    label="Activities",
    defaults={**CUSTOMER_ROLES_DEFAULTS, "service": EDIT | {"delete"}},
)
register_resource(
    "customers.import",
    label="Customer imports",
    defaults={"manager": ALL, "sales": EDIT},
)
# Custom field definitions: administrators only (admins have every grant implicitly).
register_resource("customers.customfield", label="Custom fields", defaults={"manager": READ})
