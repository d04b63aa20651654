"""The limits in force (DESIGN.md § Workflows), each with its article."""

from django.db import migrations

LIMITS = [
    {
        "code": "complaint_acceptance",
        "label": "投诉受理决定",
        "applies_to": "complaint",
        "starts_at": "received",
        "length": 7,
        "unit": "working_days",
        "legal_basis": "《市场监督管理投诉举报处理暂行办法》第十四条（依第三十八条参照适用）",
    },
    {
        "code": "report_verification",
        "label": "举报核查与立案决定",
        "applies_to": "report",
        "starts_at": "received",
        "length": 15,
        "unit": "working_days",
        "extension": 15,
        "pauses": ["appraisal", "identification"],
        "legal_basis": "《市场监督管理行政处罚程序规定》第十八条",
    },
    {
        "code": "reporter_notice",
        "label": "告知实名举报人",
        "applies_to": "report",
        "starts_at": "filing_decision",
        "length": 5,
        "unit": "working_days",
        "real_name_only": True,
        "legal_basis": "《市场监督管理投诉举报处理暂行办法》第三十一条",
    },
    {
        "code": "case_decision",
        "label": "案件办结",
        "applies_to": "any",
        "starts_at": "case_filed",
        "length": 90,
        "unit": "calendar_days",
        "roll_to_workday": True,
        "extension": 30,
        "pauses": ["suspension", "hearing", "appraisal"],
        "legal_basis": "《市场监督管理行政处罚程序规定》第六十四条、第八十条",
    },
    {
        "code": "transfer_approval",
        "label": "移送公安机关审批",
        "applies_to": "any",
        "starts_at": "transfer_proposed",
        "length": 3,
        "unit": "calendar_days",
        "legal_basis": "《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）第五条",
    },
    {
        "code": "transfer_dispatch",
        "label": "移送公安机关",
        "applies_to": "any",
        "starts_at": "transfer_approved",
        "length": 24,
        "unit": "hours",
        "legal_basis": "《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）第五条",
    },
    {
        "code": "penalty_publication",
        "label": "行政处罚信息公示",
        "applies_to": "any",
        "starts_at": "penalty_decided",
        "length": 20,
        "unit": "working_days",
        "legal_basis": "《市场监督管理行政处罚信息公示规定》第九条",
    },
]


def load(apps, schema_editor):
    StatutoryLimit = apps.get_model("complaints", "StatutoryLimit")
    for limit in LIMITS:
        StatutoryLimit.objects.update_or_create(code=limit["code"], defaults=limit)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
