from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "guanxi.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from guanxi.analytics import demo, nav, permissions, tasks  # noqa: F401
        from guanxi.analytics.figures import score_figures
        from guanxi.customers.timeline import register_figure_source

        register_figure_source("analytics.scores", score_figures)
