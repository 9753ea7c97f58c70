from django.db import migrations

SYSTEM_ROLES = {
    "admin": ("管理员", "Administrator"),
    "manager": ("经理", "Manager"),
    "sales": ("销售", "Sales"),
    "service": ("客服", "Service"),
    "marketing": ("市场", "Marketing"),
    "analyst": ("分析师", "Analyst"),
    "read_only": ("只读", "Read-only"),
}


def create_roles(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    for code, (zh, en) in SYSTEM_ROLES.items():
        Role.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "is_system": True}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
