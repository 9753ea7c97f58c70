"""Analytics resources: the scores dashboard and the scoring policy."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import ALL, READ, READ_EXPORT, register_resource

register_resource(
    "analytics.scores",
    label=_("Customer scores and KPIs"),
    defaults={
        "manager": READ_EXPORT | {"change"},
        "analyst": READ_EXPORT | {"change"},
        "marketing": READ_EXPORT,
        "sales": READ,
        "service": READ,
        "read_only": READ,
    },
)
register_resource(
    "analytics.policy", label=_("Scoring policy"), defaults={"manager": READ, "analyst": READ}
)

__all__ = ["ALL"]
