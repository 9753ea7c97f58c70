"""Customer API: thin edges over the services and selectors, mounted at /api/v1/customers."""

from ninja import Router

from guanxi.customers.api import accounts, activities, contacts, imports, lists

router = Router(tags=["customers"])
router.add_router("", accounts.router)
router.add_router("", contacts.router)
router.add_router("", activities.router)
router.add_router("", lists.router)
router.add_router("", imports.router)

__all__ = ["router"]
