"""Demo data of the demonstration pipeline for ``seed_demo``: applications at every stage.

Everything goes through ``services``, so the demo history reads like real use. Runs once: when
any application exists it leaves the data alone.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from enterprises.models import Enterprise
from tsprotect.accounts.models import ExpertProfile, Role, User
from tsprotect.core.uploads import CheckedUpload
from tsprotect.core.validators import make_uscc

from . import services
from .models import Batch, DemonstrationApplication
from .workflow import RUBRIC, AcceptanceParty, FtzSelection, Track

# username, display name, employer, employer's credit code (division, organisation), fields, title
EXPERTS = [
    ("expert2", "钱研究员", "湖南省知识产权保护中心", None, ["law", "management"], "研究员"),
    ("expert3", "孙高工", "湖南机械工业设计研究院", None, ["machinery", "design"], "正高级工程师"),
    ("expert4", "李博士", "湖南大学信息科学与工程学院", None, ["computing"], "副教授"),
    ("expert5", "周律师", "湖南湘江律师事务所", None, ["law"], "律师"),
    (
        "expert6",
        "吴工程师",
        "湖南岳麓山生物医药股份有限公司",
        ("430104", "MA4L0C3D4"),
        ["medicine", "biotechnology"],
        "高级工程师",
    ),
]
MATERIALS = {
    "rules_system": "已制定《商业秘密管理办法》《涉密人员管理规定》《涉密载体管理规定》，"
    "明确商业秘密范围、密级和保密期限，每年修订一次。",
    "organisation": "成立由总经理任组长的商业秘密保护领导小组，法务部为日常管理部门，"
    "各部门设保密联络员。",
    "measures": "核心技术资料分级存放、权限审批；与全体员工签订保密协议，与核心研发人员签订"
    "竞业限制协议；研发区域门禁管理，外来人员登记陪同；离职人员办理涉密资料交接和"
    "离职提醒；设立泄密事件应急处置流程。",
    "achievements": "近三年未发生泄密事件；计划向园区内中小企业开放保密制度范本并开展培训。",
    "contact_person": "王女士",
    "contact_phone": "0731-88880000",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def seed(stdout=None):
    if DemonstrationApplication.objects.exists():
        return 0
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.all()}
    _seed_experts(users)
    batches = {
        track: Batch.objects.get_or_create(
            track=track,
            year=today.year,
            name=f"{today.year}年第一批",
            defaults={
                "opens_on": today - dt.timedelta(days=30),
                "submission_deadline": today + dt.timedelta(days=30),
                "recommendation_deadline": today + dt.timedelta(days=45),
                "quota": 2 if track == Track.FTZ_ENTERPRISE else None,
            },
        )[0]
        for track in Track
    }
    enterprises = {e.name: e for e in Enterprise.objects.all()}
    province = users["province"]
    experts = [users[name] for name in ("expert2", "expert3", "expert4")]

    def start(name, track, applicant):
        application = DemonstrationApplication(
            track=track, batch=batches[track], enterprise=enterprises[name], **MATERIALS
        )
        application.name = name
        services.create_application(application, applicant)
        checked = CheckedUpload("application/pdf", len(PDF), "0" * 64, "保密制度汇编.pdf")
        services.add_attachment(
            application,
            ContentFile(PDF, name="rules.pdf"),
            checked,
            title="商业秘密保护制度汇编",
            user=applicant,
        )
        return application

    def review(application, panel, scores):
        services.assign_experts(application, panel, province)
        for expert, points in zip(panel, scores, strict=True):
            if points is None:
                continue  # this expert has not scored yet
            assignment = application.assignments.get(expert=expert)
            services.submit_review(
                assignment,
                expert,
                _split(points),
                "制度体系完整，措施落实到位，建议加强离职人员管理。",
            )

    # 岳阳: an FTZ enterprise through pilot and acceptance to designation.
    yueyang = users["officer_430600"]
    app = start("岳阳洞庭石化新材料有限公司", Track.FTZ_ENTERPRISE, yueyang)
    services.transition(app, "submit", yueyang)
    services.record_ftz_selection(app, yueyang, basis=FtzSelection.SPECIAL_PROJECT)
    services.transition(app, "recommend", yueyang, "石化行业领军企业，保密体系健全。")
    review(app, experts, [88, 84, 90])
    services.transition(app, "approve", province, "同意列为试点。")
    services.record_pilot_entry(
        app,
        yueyang,
        kind="guidance",
        happened_on=today - dt.timedelta(days=40),
        summary="指导企业梳理核心工艺参数的密级和接触人员范围。",
    )
    services.transition(app, "start_acceptance", province, "试点期满，组织多方评估验收。")
    services.record_acceptance(
        app,
        province,
        evaluated_on=today - dt.timedelta(days=10),
        result="pass",
        conclusion="制度体系健全，运作模式可复制推广，同意通过验收。",
        parties=_acceptance_parties("中国（湖南）自由贸易试验区岳阳片区管理委员会"),
        findings={c.key: ("met", "") for c in RUBRIC},
    )
    services.transition(app, "designate", province, "评估验收合格。")
    services.record_follow_up(
        app,
        yueyang,
        kind="visit",
        happened_on=today - dt.timedelta(days=3),
        summary="回访企业，了解保密制度运行情况。",
    )

    # 长沙: a provincial demonstration enterprise, designated and funded.
    changsha = users["officer_430100"]
    app = start("湖南岳麓山生物医药股份有限公司", Track.PROVINCIAL_ENTERPRISE, changsha)
    services.transition(app, "submit", changsha)
    services.transition(app, "recommend", changsha, "生物医药行业领军企业。")
    review(app, experts, [86, 80, 83])
    services.transition(app, "approve", province)
    services.transition(app, "designate", province)
    services.record_funding(
        app,
        province,
        year=today.year,
        amount=Decimal("20.00"),
        purpose="商业秘密保护体系建设",
        granted_on=today,
    )

    # 长沙: under review, with expert1 still to score.
    app = start("长沙星沙重工机械有限公司", Track.PROVINCIAL_ENTERPRISE, changsha)
    services.transition(app, "submit", changsha)
    services.transition(app, "recommend", changsha, "工程机械龙头企业，核心技术人员流动较大。")
    review(app, [users["expert1"], *experts[:2]], [None, 78, 82])

    # 岳阳: recommended, waiting for the province to assign experts.
    app = start("岳阳巴陵精细化工有限公司", Track.PROVINCIAL_ENTERPRISE, yueyang)
    services.transition(app, "submit", yueyang)
    services.transition(app, "recommend", yueyang)

    # 郴州: an FTZ enterprise waiting for its bureau's recommendation.
    chenzhou = users["officer_431000"]
    app = start("郴州林邑电子科技有限公司", Track.FTZ_ENTERPRISE, chenzhou)
    services.transition(app, "submit", chenzhou)

    # 长沙: returned to the enterprise for correction.
    app = start("长沙芙蓉老字号食品有限公司", Track.PROVINCIAL_ENTERPRISE, changsha)
    services.transition(app, "submit", changsha)
    services.transition(app, "return", changsha, "请补充核心配方的保密措施和接触人员范围说明。")

    # 长沙: an FTZ enterprise the prefecture named, back in its pilot after an acceptance that
    # asked for rectification.
    app = start("长沙星沙重工机械有限公司", Track.FTZ_ENTERPRISE, changsha)
    services.transition(app, "submit", changsha)
    services.record_ftz_selection(
        app,
        changsha,
        basis=FtzSelection.NAMED_BY_PREFECTURE,
        reason="片区内暂无企业符合专项条件，由长沙市局明确该企业开展试点。",
    )
    services.transition(app, "recommend", changsha, "工程机械龙头企业，技术秘密集中。")
    review(app, experts, [82, 79, 85])
    services.transition(app, "approve", province, "同意列为试点。")
    services.record_pilot_entry(
        app,
        changsha,
        kind="guidance",
        happened_on=today - dt.timedelta(days=60),
        summary="指导企业建立涉密人员台账，修订保密协议范本。",
    )
    services.transition(app, "start_acceptance", province, "试点期满，组织多方评估验收。")
    services.record_acceptance(
        app,
        province,
        evaluated_on=today - dt.timedelta(days=20),
        result="rectify",
        conclusion="制度体系基本建立，研发图纸的分级管理尚未落实到位。",
        rectification="一个月内完成研发图纸的密级标识和借阅审批，整改后申请复验。",
        parties=_acceptance_parties("中国（湖南）自由贸易试验区长沙片区管理委员会"),
        findings={
            c.key: ("partly", "图纸未标密级。") if c.key == "measures" else ("met", "")
            for c in RUBRIC
        },
        documents=[
            (
                ContentFile(PDF, name="acceptance.pdf"),
                CheckedUpload("application/pdf", len(PDF), "0" * 64, "验收意见.pdf"),
                "验收意见书",
            )
        ],
    )
    services.record_pilot_entry(
        app,
        changsha,
        kind="progress",
        happened_on=today - dt.timedelta(days=5),
        summary="企业已完成八成研发图纸的密级标识，借阅审批流程上线试运行。",
    )

    # enterprise1's own enterprise: a draft of its FTZ application.
    start("长沙麓谷芯片科技有限公司", Track.FTZ_ENTERPRISE, users["enterprise1"])
    return DemonstrationApplication.objects.count()


def _acceptance_parties(ftz_management):
    return [
        {
            "kind": AcceptanceParty.COMPETITION_BUREAU,
            "organisation": "湖南省市场监督管理局价监竞争局",
            "names": "王科长",
        },
        {
            "kind": AcceptanceParty.IP_PROTECTION_DIVISION,
            "organisation": "湖南省市场监督管理局知识产权保护处",
            "names": "陈处长",
        },
        {
            "kind": AcceptanceParty.IP_PROTECTION_CENTER,
            "organisation": "湖南省知识产权保护中心",
            "names": "钱研究员",
        },
        {"kind": AcceptanceParty.FTZ_MANAGEMENT, "organisation": ftz_management, "names": ""},
        {"kind": AcceptanceParty.EXPERT, "organisation": "湖南湘江律师事务所", "names": "周律师"},
    ]


def _split(total):
    """Scores per criterion adding up to about ``total``."""
    return {c.key: str(round(Decimal(total) * c.max_points / 100, 1)) for c in RUBRIC}


def _seed_experts(users):
    for username, name, employer, code, fields, title in EXPERTS:
        user = users.get(username) or User(username=username)
        user.display_name = name
        user.role = Role.EXPERT
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
        users[username] = user
        ExpertProfile.objects.update_or_create(
            user=user,
            defaults={
                "employer": employer,
                "employer_uscc": make_uscc(*code) if code else "",
                "fields": fields,
                "title": title,
                "prefecture_id": "430100",
            },
        )
