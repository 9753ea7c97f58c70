"""On PostgreSQL, rebuild the order-line and order time indexes covering the columns the
reports sum and group by, so revenue reports over millions of rows are index-only scans.
SQLite keeps the plain indexes (it has no INCLUDE)."""

from typing import Any

from django.db import migrations

COVERING = (
    "CREATE INDEX orderline_placed_idx ON sales_orderline (placed_at, status) "
    "INCLUDE (line_total, refunded_amount, product_id, account_id, region, order_id, id)"
)
PLAIN = "CREATE INDEX orderline_placed_idx ON sales_orderline (placed_at, status)"
ORDER_COVERING = (
    "CREATE INDEX order_status_placed_idx ON sales_order (status, placed_at) "
    "INCLUDE (owner_id, team_id, total, refunded_amount, id)"
)
ORDER_PLAIN = "CREATE INDEX order_status_placed_idx ON sales_order (status, placed_at)"


def _rebuild(*statements: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("DROP INDEX IF EXISTS orderline_placed_idx")
        schema_editor.execute("DROP INDEX IF EXISTS order_status_placed_idx")
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [
        migrations.RunPython(_rebuild(COVERING, ORDER_COVERING), _rebuild(PLAIN, ORDER_PLAIN))
    ]
