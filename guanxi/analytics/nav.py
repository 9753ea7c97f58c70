from django.utils.translation import gettext_lazy as _

from guanxi.core.navigation import NavItem, register_item

register_item(
    "analytics",
    NavItem(
        "analytics-dashboard",
        _("Customer scores"),
        "analytics:dashboard",
        icon="bar-chart-line",
        resource="analytics.scores",
    ),
)
