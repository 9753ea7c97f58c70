from django.urls import path

from guanxi.customers.views import accounts, activities, customfields, imports, merge

app_name = "customers"

urlpatterns = [
    path("", accounts.account_list, name="account-list"),
    path("export/", accounts.account_export, name="account-export"),
    path("new/", accounts.account_create, name="account-create"),
    path("views/", accounts.saved_view_create, name="saved-view-create"),
    path("custom-fields/", customfields.custom_field_list, name="customfield-list"),
    path("custom-fields/new/", customfields.custom_field_create, name="customfield-create"),
    path("custom-fields/<int:field_id>/", customfields.custom_field_edit, name="customfield-edit"),
    path(
        "custom-fields/<int:field_id>/delete/",
        customfields.custom_field_delete,
        name="customfield-delete",
    ),
    path("views/<int:view_id>/delete/", accounts.saved_view_delete, name="saved-view-delete"),
    path("<int:account_id>/", accounts.account_detail, name="account-detail"),
    path("<int:account_id>/edit/", accounts.account_edit, name="account-edit"),
    path("<int:account_id>/delete/", accounts.account_delete, name="account-delete"),
    path("<int:account_id>/restore/", accounts.account_restore, name="account-restore"),
    path("<int:account_id>/timeline/", accounts.account_timeline, name="account-timeline"),
    path("<int:account_id>/duplicates/", accounts.account_duplicates, name="account-duplicates"),
    path("<int:account_id>/stage/", accounts.account_stage, name="account-stage"),
    path("<int:account_id>/merge/", merge.account_merge, name="account-merge"),
    path("<int:account_id>/activities/", activities.activity_create, name="activity-create"),
    path("<int:account_id>/contacts/new/", activities.contact_create, name="contact-create"),
    path("duplicates/", merge.duplicates, name="duplicates"),
    path("contacts/", activities.contact_list, name="contact-list"),
    path("contacts/export/", activities.contact_export, name="contact-export"),
    path("contacts/<int:contact_id>/", activities.contact_edit, name="contact-edit"),
    path("contacts/<int:contact_id>/delete/", activities.contact_delete, name="contact-delete"),
    path("contacts/<int:contact_id>/vcard/", activities.contact_vcard, name="contact-vcard"),
    path("activities/<int:activity_id>/", activities.activity_edit, name="activity-edit"),
    path(
        "activities/<int:activity_id>/complete/",
        activities.activity_complete,
        name="activity-complete",
    ),
    path("activities/calendar.ics", activities.activity_ics, name="activity-ics"),
    path("my-day/", activities.my_day, name="my-day"),
    path("imports/new/", imports.import_new, name="import-new"),
    path("imports/<int:import_id>/", imports.import_detail, name="import-detail"),
    path("imports/<int:import_id>/progress/", imports.import_progress, name="import-progress"),
    path("imports/<int:import_id>/errors.csv", imports.import_errors, name="import-errors"),
]
