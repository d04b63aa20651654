"""Load Hunan's divisions (data/hunan-divisions.csv), the three FTZ areas and the parks among
the statistical functional zones."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "hunan-divisions.csv"

FTZ_AREAS = [
    ("changsha", "长沙片区", "430100"),
    ("yueyang", "岳阳片区", "430600"),
    ("chenzhou", "郴州片区", "431000"),
]


def park_kind(name):
    if "高新" in name:
        return "high_tech_zone"
    if "经济" in name or "九华" in name:
        return "etdz"
    if "示范区" in name:
        return "industrial_park"
    return None  # 管理区: administrative areas, not parks


def load(apps, schema_editor):
    Prefecture = apps.get_model("regions", "Prefecture")
    County = apps.get_model("regions", "County")
    FtzArea = apps.get_model("regions", "FtzArea")
    HostOrganisation = apps.get_model("regions", "HostOrganisation")
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["level"] == "prefecture":
            Prefecture.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    for row in rows:
        if row["level"] in ("county", "functional_zone"):
            County.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "prefecture_id": row["parent_code"],
                    "is_functional_zone": row["level"] == "functional_zone",
                },
            )
            kind = row["level"] == "functional_zone" and park_kind(row["name"])
            if kind:
                HostOrganisation.objects.update_or_create(
                    name=row["name"],
                    defaults={"kind": kind, "prefecture_id": row["parent_code"],
                              "county_id": row["code"], "division_code": row["code"]},
                )
    for code, name, prefecture in FTZ_AREAS:
        FtzArea.objects.update_or_create(code=code, defaults={"name": name, "prefecture_id": prefecture})


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
