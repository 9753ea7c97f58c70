"""Platform writes. Every function checks permission, runs in one transaction and audits."""

from guanxi.core.services.auth import login_failure_record, login_succeeded, login_throttle_check
from guanxi.core.services.notifications import (
    NotificationDraft,
    notification_mark_all_read,
    notification_mark_read,
    notify,
    notify_many,
)
from guanxi.core.services.roles import role_ensure_system_roles, role_update_permissions
from guanxi.core.services.teams import team_create, team_delete, team_update
from guanxi.core.services.tokens import token_authenticate, token_create, token_revoke
from guanxi.core.services.users import (
    user_change_password,
    user_create,
    user_set_language,
    user_set_preferences,
    user_update,
)

__all__ = [
    "NotificationDraft",
    "login_failure_record",
    "login_succeeded",
    "login_throttle_check",
    "notification_mark_all_read",
    "notification_mark_read",
    "notify",
    "notify_many",
    "role_ensure_system_roles",
    "role_update_permissions",
    "team_create",
    "team_delete",
    "team_update",
    "token_authenticate",
    "token_create",
    "token_revoke",
    "user_change_password",
    "user_create",
    "user_set_language",
    "user_set_preferences",
    "user_update",
]
