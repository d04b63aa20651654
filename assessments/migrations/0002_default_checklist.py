"""Every deployment starts with the default checklist (version 1) in use."""

from django.db import migrations


def load(apps, schema_editor):
    from assessments.default_checklist import TEMPLATE

    Template = apps.get_model("assessments", "ChecklistTemplate")
    Category = apps.get_model("assessments", "ChecklistCategory")
    Item = apps.get_model("assessments", "ChecklistItem")
    if Template.objects.exists():
        return
    from django.utils import timezone

    template = Template.objects.create(
        name=TEMPLATE["name"],
        version=1,
        note=TEMPLATE["version_note"],
        status="published",
        published_at=timezone.now(),
    )
    for order, data in enumerate(TEMPLATE["categories"]):
        category = Category.objects.create(
            template=template, code=data["code"], name=data["name"], order=order
        )
        Item.objects.bulk_create(
            Item(template=template, category=category, order=index, **item)
            for index, item in enumerate(data["items"])
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
