from django.urls import include, path

from config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sales/", include("guanxi.sales.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("analytics/", include("guanxi.analytics.urls")),
    path("", include("guanxi.web.urls")),
]

handler400 = "guanxi.web.views.errors.bad_request"
handler403 = "guanxi.web.views.errors.permission_denied"
handler404 = "guanxi.web.views.errors.page_not_found"
handler500 = "guanxi.web.views.errors.server_error"
