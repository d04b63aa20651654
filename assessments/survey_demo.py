"""Demo data of surveys for ``seed_demo``: one open province-wide survey with a few answers.

Answers go through ``surveys.answer``, as an enterprise's would. Runs once: when the survey
exists it leaves the data alone.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise
from tsprotect.accounts.models import Role, User

from . import surveys
from .models import Survey, SurveyQuestion

TITLE = "2026年企业商业秘密保护状况问卷调查"
DESCRIPTION = (
    "为掌握全省企业商业秘密保护工作的现状、难点和需求，省局开展本次问卷调查。"
    "每家企业填写一次，约需5分钟，结果仅用于统计分析和改进服务。"
)
PAIN_POINTS = [
    "商业秘密范围和密级难以界定",
    "员工保密意识薄弱",
    "核心技术人员流失",
    "信息系统和网络防护不足",
    "维权举证困难",
    "保护投入成本高",
]
INFRINGEMENTS = ["未遭受过", "遭受过1次", "遭受过2次及以上", "不清楚"]
INFRINGERS = [
    "离职员工",
    "在职员工",
    "合作伙伴或供应商",
    "同行竞争企业",
    "境外机构或个人",
    "其他",
]
QUESTIONS = [
    ("您认为本企业商业秘密保护的主要痛点是什么？", "multiple", PAIN_POINTS, True),
    ("本企业技术人员每年离职人数约为多少？", "number", [], True),
    ("近三年本企业遭受商业秘密侵权的情况", "single", INFRINGEMENTS, True),
    ("侵权行为人主要是哪些？（未遭受过侵权可不填）", "multiple", INFRINGERS, False),
    ("您希望市场监管部门提供哪些服务或支持？", "text", [], False),
]
# enterprise name (from seed_demo), answers in the order of QUESTIONS
ANSWERS = [
    (
        "长沙麓谷芯片科技有限公司",
        [
            ["核心技术人员流失", "维权举证困难"],
            12,
            "遭受过1次",
            ["离职员工"],
            "希望开展离职人员保密管理培训。",
        ],
    ),
    (
        "湖南岳麓山生物医药股份有限公司",
        [
            ["商业秘密范围和密级难以界定", "核心技术人员流失", "信息系统和网络防护不足"],
            25,
            "遭受过2次及以上",
            ["离职员工", "合作伙伴或供应商"],
            "建议建立侵权案件快速维权通道，提供电子数据取证指导。",
        ],
    ),
    (
        "长沙星沙重工机械有限公司",
        [["员工保密意识薄弱", "维权举证困难"], 40, "遭受过1次", ["同行竞争企业"], ""],
    ),
    (
        "岳阳洞庭石化新材料有限公司",
        [["保护投入成本高", "员工保密意识薄弱"], 18, "未遭受过", [], "希望提供保密制度范本。"],
    ),
    (
        "郴州林邑电子科技有限公司",
        [["核心技术人员流失", "保护投入成本高"], 5, "不清楚", [], ""],
    ),
]


@transaction.atomic
def seed(stdout=None):
    """Create the demo survey and its answers; nothing if the survey exists already."""
    if Survey.objects.filter(title=TITLE).exists():
        return None
    province = User.objects.get(username="province")
    survey = Survey.objects.create(
        title=TITLE,
        description=DESCRIPTION,
        created_by=province,
        closes_on=timezone.localdate() + dt.timedelta(days=60),
    )
    questions = [
        SurveyQuestion.objects.create(
            survey=survey, order=order, text=text, kind=kind, choices=choices, required=required
        )
        for order, (text, kind, choices, required) in enumerate(QUESTIONS)
    ]
    survey = surveys.open_survey(survey, province)
    enterprises = {
        e.name: e
        for e in Enterprise.objects.filter(name__in=[name for name, _values in ANSWERS])
        .order_by("pk")
        .prefetch_related("users")
    }
    officers = {u.prefecture_id: u for u in User.objects.filter(role=Role.PREFECTURE_OFFICER)}
    answered = 0
    for name, values in ANSWERS:
        enterprise = enterprises.get(name)
        if enterprise is None:
            continue
        # The enterprise's own account where seed_demo made one; otherwise its bureau's officer
        # entered the paper questionnaire collected during a visit.
        user = next(
            (u for u in enterprise.users.all() if surveys.may_answer(u, enterprise)),
            officers.get(enterprise.prefecture_id),
        )
        if user is None:
            continue
        surveys.answer(
            survey, enterprise, user, dict(zip([q.pk for q in questions], values, strict=True))
        )
        answered += 1
    if stdout is not None:
        stdout.write(f"survey: {TITLE}, {answered} answers")
    return survey
