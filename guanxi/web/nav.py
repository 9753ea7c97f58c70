"""The areas of Guanxi in the navigation. Areas that are not built yet say so honestly."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from guanxi.core.navigation import NavItem, register_item, register_section

# (key, label, icon, order)
AREAS = [
    ("customers", _("Customers"), "people", 10),
    ("sales", _("Sales"), "graph-up-arrow", 20),
    ("service", _("Service"), "headset", 30),
    ("marketing", _("Marketing"), "megaphone", 40),
    ("loyalty", _("Loyalty"), "gem", 50),
    ("analytics", _("Analytics"), "bar-chart-line", 60),
    ("planning", _("Annual plans"), "calendar2-check", 70),
]
# Areas whose app is not installed yet show one honest overview page; an installed app
# registers its own navigation items (its AppConfig.ready runs before this module loads).
PLANNED = {key for key, *_rest in AREAS if not apps.is_installed(f"guanxi.{key}")}

register_section("home", _("Workspace"), "house", 0)
register_item("home", NavItem("home", _("Home"), "web:home", icon="house"))
for key, label, icon, order in AREAS:
    register_section(key, label, icon, order)
    if key in PLANNED:
        register_item(key, NavItem(f"{key}-overview", label, f"web:area-{key}", icon=icon))

register_section("settings", _("Settings"), "gear", 90)
register_item(
    "settings",
    NavItem("users", _("Users"), "web:user-list", icon="person-badge", resource="core.user"),
)
register_item(
    "settings",
    NavItem("teams", _("Teams"), "web:team-list", icon="diagram-3", resource="core.team"),
)
register_item(
    "settings",
    NavItem("roles", _("Roles"), "web:role-list", icon="shield-lock", resource="core.role"),
)
register_item(
    "settings",
    NavItem("audit", _("Audit log"), "web:audit-list", icon="journal-text", resource="core.audit"),
)
register_item("settings", NavItem("recycle", _("Recycle bin"), "web:recycle-bin", icon="trash"))
register_item("settings", NavItem("tokens", _("API tokens"), "web:token-list", icon="key"))

# What each area will hold (from the product specification), shown on its overview page
# and on the home page until the area's own pages exist.
AREA_DETAILS: dict[str, dict[str, object]] = {
    "customers": {
        "summary": _(
            "Accounts and contacts in one place, with the full history of every interaction."
        ),
        "features": [
            _("Accounts (organisations or consumers), contacts, addresses and channels"),
            _("Lifecycle stage from lead to loyal customer, visible over time"),
            _("Customer 360 view: profile, timeline and analytic figures on one page"),
            _("Activities, tasks and scheduled callbacks"),
            _("Duplicate detection and merge; import and export"),
        ],
    },
    "sales": {
        "summary": _("The daily work of the sales team, from the first lead to the contract."),
        "features": [
            _("Leads with source, score and qualification"),
            _("Opportunities in pipelines and stages, with a kanban board"),
            _("Products, price lists, quotes, orders and contracts"),
            _("Sales targets and forecasts"),
            _("Reports: funnel, win rate, revenue by rep, product and region"),
        ],
    },
    "service": {
        "summary": _("Tickets, complaints and the knowledge that solves them."),
        "features": [
            _("Tickets with priority, assignee, status and SLA warnings"),
            _("Complaint database with root causes and resolution templates"),
            _("Knowledge base articles"),
            _("CSAT and NPS surveys"),
            _("Quality feedback loop per product and batch"),
        ],
    },
    "marketing": {
        "summary": _(
            "Reach the right customers with the right offer, and measure whether it paid."
        ),
        "features": [
            _("Dynamic and static segments with a live size preview"),
            _("Campaigns by e-mail and other channels, with A/B variants and ROI"),
            _("Journeys triggered by birthdays, holidays, purchases and tier changes"),
            _("Customer events and club invitations"),
        ],
    },
    "loyalty": {
        "summary": _("Membership tiers, points and rewards that keep customers coming back."),
        "features": [
            _("Membership tiers with qualification rules and benefits"),
            _("Points ledger: earning, redemption, expiry and adjustments"),
            _("Rewards catalogue and referral codes"),
            _("Points liability, redemption rate and tier migration"),
        ],
    },
    "analytics": {
        "summary": _(
            "Know which customers matter, which are slipping away and what each is worth."
        ),
        "features": [
            _("RFM scoring with named segments"),
            _("Customer lifetime value and probability alive"),
            _("Churn risk with its drivers in plain words"),
            _("Customer clusters, recommendations and forecasts"),
            _("KPI dashboards with drill-down and export"),
        ],
    },
    "planning": {
        "summary": _("An annual plan per customer group, with goals measured every month."),
        "features": [
            _("Plans per year and scope: all customers, a segment, a tier or one key account"),
            _("Goals as KPI targets, strategies and action items"),
            _("Actual versus target each month, with off-track alerts"),
            _("Year-end evaluation report"),
        ],
    },
}
