from django.urls import path

from guanxi.sales.views import leads, orders, pipeline, planning, setup

app_name = "sales"

urlpatterns = [
    path("leads/", leads.lead_list, name="lead-list"),
    path("leads/new/", leads.lead_create, name="lead-create"),
    path("leads/scoring/", leads.lead_scoring, name="lead-scoring"),
    path("leads/<int:lead_id>/", leads.lead_detail, name="lead-detail"),
    path("leads/<int:lead_id>/edit/", leads.lead_edit, name="lead-edit"),
    path("leads/<int:lead_id>/convert/", leads.lead_convert, name="lead-convert"),
    path(
        "leads/<int:lead_id>/<str:action>/",
        leads.lead_action,
        name="lead-action",
    ),
    path("web-to-lead/", leads.web_lead, name="web-lead"),
    path("opportunities/", pipeline.opportunity_board, name="opportunity-board"),
    path("opportunities/list/", pipeline.opportunity_list, name="opportunity-list"),
    path("opportunities/new/", pipeline.opportunity_create, name="opportunity-create"),
    path(
        "opportunities/<int:opportunity_id>/",
        pipeline.opportunity_detail,
        name="opportunity-detail",
    ),
    path(
        "opportunities/<int:opportunity_id>/move/",
        pipeline.opportunity_drop,
        name="opportunity-move",
    ),
    path(
        "opportunities/<int:opportunity_id>/lines/",
        pipeline.opportunity_lines,
        name="opportunity-lines",
    ),
    path(
        "opportunities/<int:opportunity_id>/quote/",
        pipeline.opportunity_quote,
        name="opportunity-quote",
    ),
    path("pipelines/", setup.pipeline_list, name="pipeline-list"),
    path("pipelines/new/", setup.pipeline_create, name="pipeline-create"),
    path("pipelines/<int:pipeline_id>/edit/", setup.pipeline_edit, name="pipeline-edit"),
    path("pipelines/<int:pipeline_id>/stages/new/", setup.stage_add, name="stage-add"),
    path(
        "pipelines/<int:pipeline_id>/stages/<int:stage_id>/",
        setup.stage_edit,
        name="stage-edit",
    ),
    path(
        "pipelines/<int:pipeline_id>/stages/<int:stage_id>/move/",
        setup.stage_move,
        name="stage-move",
    ),
    path(
        "pipelines/<int:pipeline_id>/stages/<int:stage_id>/remove/",
        setup.stage_remove,
        name="stage-remove",
    ),
    path(
        "price-lists/<int:price_list_id>/",
        setup.price_list_detail,
        name="price-list-detail",
    ),
    path(
        "price-lists/<int:price_list_id>/prices/<int:product_id>/remove/",
        setup.price_list_remove_price,
        name="price-list-remove-price",
    ),
    path("products/", orders.product_list, name="product-list"),
    path("products/new/", orders.product_create, name="product-create"),
    path("quotes/", orders.quote_list, name="quote-list"),
    path("quotes/new/", orders.quote_create, name="quote-create"),
    path("quotes/<int:quote_id>/", orders.quote_detail, name="quote-detail"),
    path("quotes/<int:quote_id>/convert/", orders.quote_convert, name="quote-convert"),
    path("quotes/<int:quote_id>/status/", orders.quote_status, name="quote-status"),
    path("orders/", orders.order_list, name="order-list"),
    path("orders/new/", orders.order_create, name="order-create"),
    path("orders/<int:order_id>/", orders.order_detail, name="order-detail"),
    path("orders/<int:order_id>/<str:action>/", orders.order_action, name="order-action"),
    path("contracts/", planning.contract_list, name="contract-list"),
    path("contracts/new/", planning.contract_create, name="contract-create"),
    path("contracts/<int:contract_id>/", planning.contract_detail, name="contract-detail"),
    path("forecast/", planning.forecast, name="forecast"),
    path("reports/", planning.reports, name="reports"),
]
