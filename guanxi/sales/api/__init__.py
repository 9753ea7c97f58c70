"""Sales API: a thin edge; each handler parses, calls one selector or service, answers.
Mounted at /api/v1/sales."""

from ninja import Router

from guanxi.sales.api import catalogue, contracts, leads, opportunities, orders, pipelines, reports

router = Router(tags=["sales"])
router.add_router("", leads.router)
router.add_router("", pipelines.router)
router.add_router("", opportunities.router)
router.add_router("", catalogue.router)
router.add_router("", orders.router)
router.add_router("", contracts.router)
router.add_router("", reports.router)

__all__ = ["router"]
