"""PostgreSQL only: covering prefix indexes for customer search.

A search page needs the newest 50 of possibly thousands of prefix matches. With the sort key
and the visibility columns inside the index, PostgreSQL picks the 50 ids with an index-only
scan and reads just those rows (see selectors.search.paginate_capped). SQLite keeps the plain
indexes Django creates.
"""

from django.db import migrations

COLUMNS = ["search_name", "search_pinyin", "search_initials", "email_key", "phone_rev", "phone2_rev"]
TABLES = {"customers_account": "acct", "customers_contact": "cont"}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, short in TABLES.items():
        include = "updated_at, id, owner_id, team_id, deleted_at"
        if table == "customers_contact":
            include += ", account_id"
        for column in COLUMNS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {short}_{column}_cover ON {table} "
                f"({column} varchar_pattern_ops) INCLUDE ({include})"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, short in TABLES.items():
        for column in COLUMNS:
            schema_editor.execute(f"DROP INDEX IF EXISTS {short}_{column}_cover")


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_customer_data")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
