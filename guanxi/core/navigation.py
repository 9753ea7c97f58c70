"""The navigation tree. Apps register their areas; the layout shows what a user may open."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from guanxi.core.permissions import has_perm

if TYPE_CHECKING:
    from guanxi.core.models import User


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    icon: str = "circle"
    resource: str = ""  # shown only to those who may view it; empty = everyone
    admin_only: bool = False


@dataclass(frozen=True)
class NavSection:
    key: str
    label: str | Promise
    icon: str
    order: int
    items: list[NavItem] = field(default_factory=list)


_SECTIONS: dict[str, NavSection] = {}


def register_section(key: str, label: str | Promise, icon: str, order: int) -> NavSection:
    """Declare a section; items registered before it (apps load in any order) are kept."""
    existing = _SECTIONS.get(key)
    section = NavSection(key, label, icon, order, existing.items if existing else [])
    _SECTIONS[key] = section
    return section


def register_item(section: str, item: NavItem) -> None:
    if section not in _SECTIONS:
        _SECTIONS[section] = NavSection(section, section, "circle", 100)
    items = _SECTIONS[section].items
    if all(i.key != item.key for i in items):
        items.append(item)


def nav_for(user: User, path: str) -> list[dict[str, object]]:
    """The sections and items this user may open, with the active one marked."""
    result: list[dict[str, object]] = []
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        items = []
        for item in section.items:
            if item.admin_only and not (user.is_superuser or user.role_code == "admin"):
                continue
            if item.resource and not has_perm(user, item.resource, "view"):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append(
                {
                    "key": item.key,
                    "label": item.label,
                    "url": url,
                    "icon": item.icon,
                    "active": path.startswith(url) and url != "/",
                }
            )
        if items:
            result.append(
                {
                    "key": section.key,
                    "label": section.label,
                    "icon": section.icon,
                    "items": items,
                    "active": any(i["active"] for i in items),
                }
            )
    return result
