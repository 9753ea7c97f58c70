from django.urls import path

from guanxi.web.nav import AREAS
from guanxi.web.views import (
    audit,
    auth,
    notifications,
    pages,
    profile,
    recycle,
    roles,
    teams,
    tokens,
    users,
)

app_name = "web"

urlpatterns = [
    path("", pages.home, name="home"),
    path("accounts/login/", auth.login_view, name="login"),
    path("accounts/logout/", auth.logout_view, name="logout"),
    path("accounts/password/", auth.password_change, name="password-change"),
    path("accounts/language/", auth.set_language, name="set-language"),
    path("accounts/profile/", profile.profile, name="profile"),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/bell/", notifications.notification_bell, name="notification-bell"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notification-read-all",
    ),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.notification_open,
        name="notification-open",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
    *[
        path(f"{key}/", pages.area, {"key": key}, name=f"area-{key}")
        for key, _label, _icon, _order in AREAS
    ],
    path("settings/users/", users.user_list, name="user-list"),
    path("settings/users/new/", users.user_create, name="user-create"),
    path("settings/users/<int:user_id>/", users.user_edit, name="user-edit"),
    path("settings/teams/", teams.team_list, name="team-list"),
    path("settings/teams/new/", teams.team_create, name="team-create"),
    path("settings/teams/<int:team_id>/", teams.team_edit, name="team-edit"),
    path("settings/teams/<int:team_id>/delete/", teams.team_delete, name="team-delete"),
    path("settings/roles/", roles.role_list, name="role-list"),
    path("settings/roles/<int:role_id>/", roles.role_edit, name="role-edit"),
    path("settings/audit/", audit.audit_list, name="audit-list"),
    path("settings/recycle-bin/", recycle.recycle_bin, name="recycle-bin"),
    path("settings/recycle-bin/restore/", recycle.recycle_restore, name="recycle-restore"),
    path("settings/tokens/", tokens.token_list, name="token-list"),
    path("settings/tokens/new/", tokens.token_create, name="token-create"),
    path("settings/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token-revoke"),
]
