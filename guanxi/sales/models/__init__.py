"""Sales models: leads, pipelines, products, quotes, orders, contracts and targets."""

from guanxi.sales.models.contracts import Contract
from guanxi.sales.models.leads import Lead, LeadScoreWeights
from guanxi.sales.models.orders import (
    Order,
    OrderLine,
    OrderReturn,
    OrderStatusChange,
    Payment,
    Quote,
    QuoteLine,
)
from guanxi.sales.models.pipeline import (
    Opportunity,
    OpportunityLine,
    Pipeline,
    Stage,
    StageChange,
)
from guanxi.sales.models.products import PriceList, PriceListItem, Product
from guanxi.sales.models.rollups import CustomerRevenueMonth, ProductRevenueMonth, RevenueDay
from guanxi.sales.models.targets import SalesTarget

__all__ = [
    "Contract",
    "CustomerRevenueMonth",
    "Lead",
    "LeadScoreWeights",
    "Opportunity",
    "OpportunityLine",
    "Order",
    "OrderLine",
    "OrderReturn",
    "OrderStatusChange",
    "Payment",
    "Pipeline",
    "PriceList",
    "PriceListItem",
    "Product",
    "ProductRevenueMonth",
    "Quote",
    "QuoteLine",
    "RevenueDay",
    "SalesTarget",
    "Stage",
    "StageChange",
]
