from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from guanxi.core.navigation import NavItem, register_item, register_section
        from guanxi.customers import demo, permissions, tasks  # noqa: F401
        from guanxi.customers.selectors.activities import activity_timeline
        from guanxi.customers.timeline import register_timeline_source

        register_timeline_source("customers.activities", activity_timeline)
        # The web shell registers the same section; whichever app loads first creates it.
        register_section("customers", _("Customers"), "people", 10)
        for item in (
            NavItem(
                "customers-accounts",
                _("Accounts"),
                "customers:account-list",
                icon="building",
                resource="customers.account",
            ),
            NavItem(
                "customers-contacts",
                _("Contacts"),
                "customers:contact-list",
                icon="person-lines-fill",
                resource="customers.contact",
            ),
            NavItem(
                "customers-myday",
                _("My day"),
                "customers:my-day",
                icon="calendar-check",
                resource="customers.activity",
            ),
            NavItem(
                "customers-duplicates",
                _("Duplicates"),
                "customers:duplicates",
                icon="intersect",
                resource="customers.account",
            ),
            NavItem(
                "customers-imports",
                _("Import"),
                "customers:import-new",
                icon="upload",
                resource="customers.import",
            ),
            NavItem(
                "customers-customfields",
                _("Custom fields"),
                "customers:customfield-list",
                icon="ui-checks",
                resource="customers.customfield",
                admin_only=True,
            ),
        ):
            register_item("customers", item)
