"""Demo periodic reports: the 2026 work plan, and the first three quarters of 2026 built for
every prefecture — 长沙市's third quarter still a draft to submit, 岳阳市's submitted, 郴州市's
acknowledged, the others late — plus the provincial consolidations for the dashboard's trend."""

from django.db import transaction

from tsprotect.accounts.models import Role, User
from tsprotect.regions.models import Prefecture

from . import services
from .models import Report, WorkPlan, WorkPlanTarget

YEAR = 2026
QUARTERS = ("2026-Q1", "2026-Q2", "2026-Q3")
# Larger bureaus get larger targets; the figures are the 2026 plan's, per prefecture.
TARGETS = {
    "430100": (600, 12, 3, 60, 95, 12),
    "430200": (300, 6, 2, 50, 95, 8),
    "430300": (260, 5, 1, 50, 95, 8),
    "430600": (280, 6, 2, 50, 95, 8),
    "431000": (200, 4, 1, 45, 95, 6),
}
DEFAULT_TARGET = (120, 2, 1, 40, 90, 4)
NARRATIVE = {
    "work_done": "本季度走访重点企业，开展商业秘密保护培训，按时办理投诉举报。",
    "problems": "部分中小企业保密制度不健全，涉密人员离职管理薄弱。",
    "next_steps": "推进示范企业培育，扩大自查自评覆盖面。",
}


@transaction.atomic
def seed():
    if Report.objects.filter(period=QUARTERS[-1]).exists():
        return 0
    province = User.objects.get(username="province")
    plan, _created = WorkPlan.objects.get_or_create(
        year=YEAR,
        defaults={"note": "聚焦名录库扩容、示范创建和投诉举报按时办结。", "updated_by": province},
    )
    fields = [key for key, _label, _pct in WorkPlanTarget.METRICS]
    for prefecture in Prefecture.objects.all():
        values = TARGETS.get(prefecture.pk, DEFAULT_TARGET)
        WorkPlanTarget.objects.get_or_create(
            plan=plan, prefecture=prefecture, defaults=dict(zip(fields, values, strict=True))
        )
    officers = {u.prefecture_id: u for u in User.objects.filter(username__startswith="officer_")}
    built = 0
    for period in QUARTERS:
        for code in [*Prefecture.objects.values_list("code", flat=True), None]:
            # Files are rendered when first downloaded: seeding stays quick.
            services.build_now(period, code, files="later")
            built += 1
        for code, officer in officers.items():
            if officer.role != Role.PREFECTURE_OFFICER:
                continue
            report = Report.objects.get(period=period, prefecture_id=code)
            if period == QUARTERS[-1] and code == "430100":
                continue  # left for officer_430100 to review and submit
            report = services.submit(report, officer, **NARRATIVE)
            if period != QUARTERS[-1] or code == "431000":
                services.acknowledge(report, province, "已收悉。")
    return built
