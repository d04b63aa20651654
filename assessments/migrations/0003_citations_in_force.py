"""Checklists seeded before the provisions table cited the AUCL's 2019 articles as fixed text.
The items that still carry that text as seeded now cite through the table, so the pages show the
article of the version in force (tsprotect/legal); text staff have edited is left as it is."""

from django.db import migrations

# (item code, text as seeded in version 1, text citing through the provisions table)
ITEMS = [
    (
        "scope-1",
        "《反不正当竞争法》第九条第四款；法释〔2020〕7号第一条",
        "{aucl.trade_secret_definition}；法释〔2020〕7号第一条",
    ),
    (
        "it-6",
        "《反不正当竞争法》第九条第一款第（一）项；《网络安全法》第二十一条",
        "{aucl.trade_secret_acts}第（一）项；《网络安全法》第二十一条",
    ),
    (
        "lifecycle-1",
        "《劳动合同法》第九十一条；《反不正当竞争法》第九条第三款",
        "《劳动合同法》第九十一条；{aucl.third_party}",
    ),
    ("lifecycle-2", "《反不正当竞争法》第九条第三款", "{aucl.third_party}"),
    ("incident-2", "《反不正当竞争法》第三十二条", "{aucl.burden_of_proof}"),
    (
        "incident-3",
        "《反不正当竞争法》第十六条、第二十一条；《刑法》第二百一十九条",
        "{aucl.reporting}；{aucl.trade_secret_penalty}；《刑法》第二百一十九条",
    ),
]
NOTE = (
    "《反不正当竞争法》第九条、法释〔2020〕7号第五条和第六条",
    "{aucl.trade_secret_acts}、法释〔2020〕7号第五条和第六条",
)


def _rewrite(apps, forward):
    Item = apps.get_model("assessments", "ChecklistItem")
    Template = apps.get_model("assessments", "ChecklistTemplate")
    for code, seeded, cited in ITEMS:
        before, after = (seeded, cited) if forward else (cited, seeded)
        Item.objects.filter(code=code, legal_basis=before).update(legal_basis=after)
    before, after = NOTE if forward else NOTE[::-1]
    for template in Template.objects.filter(note__contains=before):
        template.note = template.note.replace(before, after)
        template.save(update_fields=["note"])


def cite_through_the_table(apps, schema_editor):
    _rewrite(apps, forward=True)


def back_to_fixed_text(apps, schema_editor):
    _rewrite(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_default_checklist")]
    operations = [migrations.RunPython(cite_through_the_table, back_to_fixed_text)]
