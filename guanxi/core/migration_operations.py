"""Migration operations the domain apps share."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def unindex_deleted_at(app_label: str, model_name: str) -> migrations.SeparateDatabaseAndState:
    """Drop the plain index of an owned record's `deleted_at` (see `guanxi.core.records`).

    Django would alter the field, which on SQLite copies the whole table; dropping the index by
    its name is instant on both databases."""

    def index_name(apps: Any, schema_editor: Any) -> tuple[Any, str]:
        model = apps.get_model(app_label, model_name)
        return model, schema_editor._create_index_name(model._meta.db_table, ["deleted_at"])

    def drop(apps: Any, schema_editor: Any) -> None:
        _model, name = index_name(apps, schema_editor)
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def create(apps: Any, schema_editor: Any) -> None:
        model, name = index_name(apps, schema_editor)
        table, column = model._meta.db_table, model._meta.get_field("deleted_at").column
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(name)} ON "
            f"{schema_editor.quote_name(table)} ({schema_editor.quote_name(column)})"
        )

    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AlterField(
                model_name=model_name,
                name="deleted_at",
                field=models.DateTimeField(blank=True, null=True),
            )
        ],
        database_operations=[migrations.RunPython(drop, create)],
    )
