"""行政处罚程序规定 art. 64 para. 2 does not count the time of an order to refund overcharged
prices (责令退还多收价款) towards a case either: a pause reason of its own, stopping the case
clock. The notes on arts. 18 and 64 are now a quotation word for word (art. 18) and a summary
labelled as such (art. 64), each followed by how the portal applies it. Clocks staff have edited
since 0007 keep their edits."""

import importlib

from django.db import migrations, models

CLOCK_RULES = importlib.import_module("complaints.migrations.0007_clock_rules")

ARTICLE_18 = (
    "第十八条原文：“市场监督管理部门对依据监督检查职权或者通过投诉、举报、其他部门移送、上级交办等"
    "途径发现的违法行为线索，应当自发现线索或者收到材料之日起十五个工作日内予以核查，由市场监督管理"
    "部门负责人决定是否立案；特殊情况下，经市场监督管理部门负责人批准，可以延长十五个工作日。法律、"
    "法规、规章另有规定的除外。\n"
    "检测、检验、检疫、鉴定以及权利人辨认或者鉴别等所需时间，不计入前款规定期限。”\n"
    "本平台的适用：投诉与举报一样自收到之日起计算。条文以“收到材料之日”起算，投诉的材料在登记收到之日"
    "即已收到；《市场监督管理投诉举报处理暂行办法》第十四条的受理决定（自收到投诉之日起七个工作日内）"
    "在这十五个工作日之内作出，并不另起算核查期限。（本平台把不予受理记为对该线索不予立案的决定，"
    "核查期限随之结束。）"
)
ARTICLE_64 = (
    "第六十四条要旨（非原文）：适用普通程序办理的案件自立案之日起九十日内作出处理决定；因案情复杂"
    "或者其他原因不能在期限内作出的，经市场监督管理部门负责人批准，可以延长三十日；经延期仍不能作出"
    "处理决定的，由负责人集体讨论决定是否继续延期，决定继续延期的，应当同时确定延长的合理期限。"
    "案件处理过程中，中止、听证、公告和检测、检验、检疫、鉴定、权利人辨认或者鉴别、责令退还多收价款"
    "等时间不计入案件办理期限。\n"
    "本平台的适用：每次继续延期的决定各自载明延长的期限；检测、检验、检疫、鉴定记为同一暂停事由，"
    "文书中应写明具体是哪一项。"
)
OLD_PAUSES = CLOCK_RULES.LIMITS["case_decision"]["pauses"]
PAUSES = [*OLD_PAUSES, "refund"]

# (clock, field, as 0007 left it, as it is now)
CHANGES = [
    ("report_verification", "basis_note", CLOCK_RULES.ARTICLE_18, ARTICLE_18),
    ("case_decision", "basis_note", CLOCK_RULES.ARTICLE_64, ARTICLE_64),
    ("case_decision", "pauses", OLD_PAUSES, PAUSES),
]


def _apply(apps, forward):
    StatutoryLimit = apps.get_model("complaints", "StatutoryLimit")
    for code, field, before, after in CHANGES:
        if not forward:
            before, after = after, before
        for limit in StatutoryLimit.objects.filter(code=code):
            if getattr(limit, field) == before:  # a JSON list is compared as a list
                setattr(limit, field, after)
                limit.save(update_fields=[field])


def forward(apps, schema_editor):
    _apply(apps, forward=True)


def backward(apps, schema_editor):
    _apply(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0011_police_acceptance")]

    operations = [
        migrations.AlterField(
            model_name="clockpause",
            name="reason",
            field=models.CharField(
                choices=[
                    ("appraisal", "Testing, inspection, quarantine or appraisal"),
                    ("identification", "The rights holder identifying its secret"),
                    ("hearing", "Hearing"),
                    ("announcement", "Public announcement"),
                    ("suspension", "Suspension of the case"),
                    ("refund", "Order to refund overcharged prices"),
                ],
                max_length=20,
                verbose_name="reason",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
