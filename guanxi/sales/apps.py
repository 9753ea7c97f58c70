from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guanxi.core.navigation import NavItem, register_item, register_section
        from guanxi.core.visibility import register_scope
        from guanxi.sales import demo, handlers, permissions, tasks  # noqa: F401
        from guanxi.sales.models import (
            Lead,
            OrderLine,
            OrderReturn,
            OrderStatusChange,
            Payment,
            QuoteLine,
            StageChange,
        )
        from guanxi.sales.selectors.records import child_scope, lead_scope

        register_scope(Lead, lead_scope)
        register_scope(OrderLine, child_scope("order"))
        register_scope(Payment, child_scope("order"))
        register_scope(OrderReturn, child_scope("order"))
        register_scope(OrderStatusChange, child_scope("order"))
        register_scope(QuoteLine, child_scope("quote"))
        register_scope(StageChange, child_scope("opportunity"))
        handlers.register_customer_hooks()

        items = [
            NavItem("sales-leads", _("Leads"), "sales:lead-list", "person-plus", "sales.lead"),
            NavItem(
                "sales-kanban",
                _("Opportunities"),
                "sales:opportunity-board",
                "kanban",
                "sales.opportunity",
            ),
            NavItem("sales-products", _("Products"), "sales:product-list", "box", "sales.product"),
            NavItem("sales-quotes", _("Quotes"), "sales:quote-list", "file-text", "sales.quote"),
            NavItem("sales-orders", _("Orders"), "sales:order-list", "bag", "sales.order"),
            NavItem(
                "sales-contracts",
                _("Contracts"),
                "sales:contract-list",
                "file-earmark-check",
                "sales.contract",
            ),
            NavItem(
                "sales-forecast",
                _("Targets & forecast"),
                "sales:forecast",
                "bullseye",
                "sales.target",
            ),
            NavItem(
                "sales-reports", _("Sales reports"), "sales:reports", "bar-chart", "sales.order"
            ),
        ]
        register_section("sales", _("Sales"), "graph-up-arrow", 20)
        for item in items:
            register_item("sales", item)
