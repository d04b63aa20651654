"""Demo complaints for ``seed_demo``: a living queue in 长沙, 岳阳 and 郴州 at every stage.

Every complaint is registered and handled through ``services``, with the officers (or
``enterprise1`` filing online) as actors, so the history reads like real use; each step is then
moved back to the day it would have happened (dates counted back from today, so the queue always
looks current) and the clocks are recounted. Runs once: when any complaint exists it leaves the
data alone.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.core.files.base import ContentFile
from django.utils import timezone

from enterprises.models import Enterprise
from tsprotect.accounts.models import User
from tsprotect.core.uploads import check_upload
from tsprotect.core.validators import make_ric, make_uscc
from tsprotect.regions.calendar import workdays_between
from tsprotect.regions.models import Prefecture

from . import services
from .models import (
    ClockExtension,
    Complaint,
    ComplaintEvent,
    CreditPush,
    EvidenceFile,
    InvestigationStep,
    JurisdictionTransfer,
)

# The milestones a step stamps with "now", moved back with it.
MILESTONES = (
    "registered_at",
    "accept_decided_at",
    "filing_decided_at",
    "transfer_proposed_at",
    "transfer_approved_at",
    "transfer_sent_at",
    "case_concluded_at",
    "penalty_published_at",
    "outcome_at",
    "reporter_notified_at",
    "feedback_at",
    "closed_at",
)


# The stories, as data ------------------------------------------------------------------------
#
# A story is a complaint as it is registered (``days`` back from today, by the prefecture's
# officer unless ``by`` says who filed it online), then its steps in order, each a day back and a
# service call. In a step's data ``ON`` stands for the step's own day and ``Number`` for a
# document number of that day's year; a complainant enterprise is named.


ON = object()  # the day of the step


@dataclass(frozen=True)
class Number:
    """A document number of the year of the step's day (长市监立〔2026〕4号)."""

    prefix: str
    n: int


@dataclass(frozen=True)
class OverdueReceipt:
    """Days back to a receipt more than 10 working days old (whatever holidays lie between)."""


@dataclass(frozen=True)
class PastDue:
    """``days`` after the due day of the complaint's clock ``limit`` (read once a story)."""

    limit: str
    days: int


@dataclass(frozen=True)
class Step:
    days: object  # days back: a number or PastDue
    call: str  # the _Seeder method that takes it
    data: dict


@dataclass(frozen=True)
class Story:
    days: object  # days back to the receipt: a number or OverdueReceipt
    fields: dict
    steps: tuple = ()
    by: str = ""  # who registers it: the prefecture's officer unless named
    evidence: tuple = ()


def act(days, action, note="", **data):
    return Step(days, "act", {"action": action, "note": note, **data})


def log(days, kind, actions, findings="", experts=()):
    return Step(
        days, "log", {"kind": kind, "actions": actions, "findings": findings, "experts": experts}
    )


def pause(days, reason, note):
    return Step(days, "start_pause", {"reason": reason, "started_on": ON, "note": note})


def end_pause(days, reason):
    return Step(days, "end_pause", {"reason": reason})


def extend(days, limit_code, approved_by, document_number, reason):
    data = {"limit_code": limit_code, "approved_by": approved_by, "decided_on": ON}
    return Step(days, "extend", {**data, "document_number": document_number, "reason": reason})


def hand_on(days, prefecture, note):
    return Step(days, "hand_on", {"prefecture": prefecture, "note": note})


def publish(days):
    return Step(days, "publish_penalty", {"published_on": ON})


# In each prefecture the oldest first, so numbers follow the dates of receipt.
STORIES = (
    (
        "officer_430100",
        (
            # A report acted on: case decided with a fine, not yet published to the credit
            # platform.
            Story(
                150,
                dict(
                    kind="report",
                    channel="referral",
                    prefecture_id="430100",
                    county_id="430104",
                    complainant_name="长沙市公安局岳麓分局",
                    complainant_contact="经侦大队 0731-88990000",
                    respondent_name="长沙数联信息技术有限公司",
                    respondent_credit_code=make_uscc("430104", "MA4L0N6P7"),
                    secret_kind="customer",
                    conduct=["data_selling", "improper_acquisition"],
                    estimated_loss=Decimal("90000"),
                    description="移送线索：被举报公司通过购买的方式获取多家企业客户名单并转售牟利。",
                ),
                (
                    act(148, "accept"),
                    act(140, "file_case", case_number=Number("长市监立", 4), on=ON),
                    act(138, "feedback", "已书面告知移送单位立案情况。", method="letter"),
                    act(
                        12,
                        "decide_case",
                        "经集体讨论决定给予行政处罚。",
                        on=ON,
                        penalty=True,
                        decision_number=Number("长市监处罚", 37),
                        facts="当事人以购买方式获取多家企业的客户名单并转售牟利，违法所得人民币三万二千元。",
                        content="责令停止违法行为，没收违法所得人民币三万二千元，并处罚款人民币二十万元。",
                        confiscated=Decimal("32000"),
                        fine=Decimal("200000"),
                    ),
                ),
            ),
            # A case filed three months ago, paused while the rights holder identified its
            # secret points, then extended with the head's approval.
            Story(
                110,
                dict(
                    kind="complaint",
                    channel="walk_in",
                    prefecture_id="430100",
                    county_id="430104",
                    complainant_enterprise="湖南岳麓山生物医药股份有限公司",
                    respondent_name="长沙康源生物技术有限公司",
                    respondent_credit_code=make_uscc("430104", "MA4L0K4M5"),
                    respondent_individuals="陈某，原质量部经理。",
                    secret_kind="process",
                    conduct=["improper_acquisition", "job_hopping"],
                    estimated_loss=Decimal("260000"),
                    description="投诉人称其冻干工艺参数及批生产记录被原质量部经理陈某带至被投诉公司使用。",
                ),
                (
                    act(105, "accept"),
                    act(95, "file_case", case_number=Number("长市监立", 15), on=ON),
                    log(
                        60,
                        "evidence",
                        "调取被投诉人批生产记录及工艺规程，委托第三方鉴定工艺参数同一性。",
                    ),
                    pause(
                        70, "identification", "投诉人对其主张的冻干工艺参数逐项辨认、确定秘密点。"
                    ),
                    end_pause(50, "identification"),
                    extend(
                        10,
                        "case_decision",
                        "长沙市市场监管局 局长 王某",
                        Number("长市监延", 3),
                        "工艺参数鉴定尚未完成，案情复杂。",
                    ),
                ),
            ),
            # enterprise1's earlier complaint: mediated, told and closed.
            Story(
                90,
                dict(
                    kind="complaint",
                    channel="online",
                    complainant_enterprise="长沙麓谷芯片科技有限公司",
                    respondent_name="长沙某测试服务有限公司",
                    secret_kind="customer",
                    conduct=["breach_of_confidence"],
                    description="合作测试机构在宣传材料中披露了我公司客户名称及订单信息。",
                ),
                (
                    act(88, "accept"),
                    act(
                        60, "mediate", "经调解，被投诉人删除相关宣传材料，书面致歉并承诺不再披露。"
                    ),
                    act(58, "feedback", "已通过平台告知调解结果。", method="portal"),
                    act(57, "close"),
                ),
                by="enterprise1",
            ),
            # Guided to labour arbitration (the dispute is the former employee's non-compete).
            Story(
                40,
                dict(
                    kind="complaint",
                    channel="liaison",
                    prefecture_id="430100",
                    county_id="430102",
                    complainant_enterprise="长沙芙蓉老字号食品有限公司",
                    respondent_individuals="李某，原配方研发员，离职后到同业企业任职。",
                    secret_kind="formula",
                    conduct=["job_hopping", "breach_of_confidence"],
                    description="投诉人称原配方研发员李某违反竞业限制协议，到同业企业任职，"
                    "可能泄露卤料配方。",
                ),
                (
                    act(37, "accept"),
                    act(
                        30,
                        "guide",
                        "经核查，未发现配方被使用的证据；李某违反竞业限制协议的争议，建议向劳动人事争议"
                        "仲裁委员会申请仲裁。",
                        remedy="labour_arbitration",
                    ),
                ),
            ),
            # Received more than ten working days ago and not yet decided: overdue.
            Story(
                OverdueReceipt(),
                dict(
                    kind="complaint",
                    channel="12315",
                    prefecture_id="430100",
                    county_id="430121",
                    complainant_enterprise="长沙星沙重工机械有限公司",
                    respondent_name="长沙恒越机械设备有限公司",
                    respondent_individuals="刘某，原液压研发部副经理，离职后任被投诉公司技术总监。",
                    secret_kind="technical",
                    conduct=["job_hopping", "competing_company", "breach_of_confidence"],
                    estimated_loss=Decimal("180000"),
                    description="投诉人称，其原液压研发部副经理刘某离职后设立被投诉公司，"
                    "使用投诉人的液压阀组设计图纸生产同类产品，并以低价争夺投诉人客户。",
                ),
            ),
            # enterprise1 files online: a loss over the criminal threshold, accepted and
            # investigated with expert1 consulted.
            Story(
                12,
                dict(
                    kind="complaint",
                    channel="online",
                    complainant_enterprise="长沙麓谷芯片科技有限公司",
                    complainant_contact="周经理 0731-88880000",
                    respondent_name="湖南芯创微电子有限公司",
                    respondent_credit_code=make_uscc("430104", "MA4L0J2K3"),
                    respondent_individuals="张某，原芯片设计部主管，三个月前离职。",
                    secret_kind="technical",
                    conduct=["breach_of_confidence", "job_hopping"],
                    estimated_loss=Decimal("500000"),
                    description="我公司原芯片设计部主管张某离职前将电源管理芯片版图文件拷贝至个人网盘，"
                    "现被投诉公司推出的同型号芯片与我公司版图高度一致。",
                ),
                (
                    act(10, "accept"),
                    log(
                        8,
                        "inspection",
                        "现场检查被投诉人研发中心，调取其芯片版图文件及设计服务器访问日志。",
                        "被投诉人服务器中存有与投诉人版图文件名称、图层结构一致的文件。",
                    ),
                    log(
                        5,
                        "expert",
                        "请专家比对双方版图文件，判断是否构成实质性相同。",
                        experts=["expert1"],
                    ),
                ),
                by="enterprise1",
                evidence=(
                    (
                        "layout-comparison.pdf",
                        "芯片版图比对说明",
                        ["Layout comparison", "Power management IC, rev. C", "Exhibit 1"],
                    ),
                    (
                        "cloud-drive-log.pdf",
                        "网盘上传记录截图",
                        ["Cloud drive upload log", "Exported by the IT department", "Exhibit 2"],
                    ),
                ),
            ),
            # Received in 长沙 but handed to 岳阳, where the respondent and the conduct are.
            Story(
                5,
                dict(
                    kind="complaint",
                    channel="12345",
                    prefecture_id="430100",
                    county_id=None,
                    complainant_name="湖南湘楚环保科技有限公司",
                    complainant_contact="赵女士 0731-85550000",
                    respondent_name="岳阳云溪化工设备有限公司",
                    secret_kind="technical",
                    conduct=["third_party"],
                    description="投诉人称被投诉人明知其设备图纸系他人违法提供，仍据以生产脱硫设备。",
                ),
                (
                    hand_on(
                        4,
                        "430600",
                        "被投诉人住所地及侵权行为地均在岳阳市云溪区，依法移交岳阳市局办理。",
                    ),
                ),
            ),
            # A former employee penalised as a natural person (AUCL art. 10 para. 2 in 2026), the
            # decision published on the credit platform; the feedback and closing still to do.
            Story(
                75,
                dict(
                    kind="complaint",
                    channel="walk_in",
                    prefecture_id="430100",
                    county_id="430104",
                    complainant_enterprise="湖南岳麓山生物医药股份有限公司",
                    respondent_individuals="刘某，原研发部工程师，2026年6月离职。",
                    secret_kind="formula",
                    conduct=["breach_of_confidence"],
                    estimated_loss=Decimal("120000"),
                    description="投诉人称原研发部工程师刘某离职前拷贝制剂配方试验数据，并出售给他人。",
                ),
                (
                    act(73, "accept"),
                    act(66, "file_case", case_number=Number("长市监立", 21), on=ON),
                    act(
                        20,
                        "decide_case",
                        "经集体讨论决定给予行政处罚。",
                        on=ON,
                        penalty=True,
                        decision_number=Number("长市监处罚", 44),
                        party_kind="natural_person",
                        party_name="刘某某",
                        party_id_number=make_ric("430104", "19910512", "213"),
                        facts="当事人违反保密义务，将其掌握的制剂配方试验数据披露给他人，违法所得人民币一万五千元。",
                        content="责令停止违法行为，没收违法所得人民币一万五千元，并处罚款人民币十万元。",
                        confiscated=Decimal("15000"),
                        fine=Decimal("100000"),
                    ),
                    publish(14),
                ),
            ),
        ),
    ),
    (
        "officer_430600",
        (
            # Transferred to public security, the complainant told. The police signed their
            # receipt the next day: their 3 days count from it (art. 8). They refused two days
            # after their answer was due; the bureau asked them to reconsider, the refusal was
            # upheld, and the procuratorate was asked to supervise (行政执法机关移送涉嫌犯罪案件的
            # 规定 arts. 8–9).
            Story(
                70,
                dict(
                    kind="complaint",
                    channel="12315",
                    prefecture_id="430600",
                    county_id="430603",
                    complainant_enterprise="岳阳洞庭石化新材料有限公司",
                    respondent_name="岳阳恒泰新材料科技有限公司",
                    respondent_individuals="孙某，原研发中心副主任。",
                    secret_kind="technical",
                    conduct=["intrusion", "improper_acquisition"],
                    estimated_loss=Decimal("2000000"),
                    description="投诉人研发服务器遭入侵，聚合工艺包被窃取，被投诉公司随后投产同类产品。",
                ),
                (
                    act(65, "accept"),
                    act(
                        40,
                        "propose_transfer",
                        "经初步核查，损失数额逾二百万元，涉嫌侵犯商业秘密罪。",
                        receiving_unit="岳阳市公安局经济犯罪侦查支队",
                    ),
                    act(39, "approve_transfer", approved_by="岳阳市市场监管局 局长 周某"),
                    act(39, "send_transfer"),
                    act(
                        38,
                        "police_acceptance",
                        on=ON,
                        receipt_number=Number("岳公经受字", 3),
                    ),
                    act(
                        35,
                        "feedback",
                        "已电话告知投诉人案件已移送岳阳市公安局经侦支队。",
                        method="phone",
                    ),
                    act(
                        PastDue("police_filing_decision", 2),
                        "police_decision",
                        police_decision="refused",
                        on=ON,
                        document_number=Number("岳公经不立字", 8),
                    ),
                    act(
                        PastDue("police_filing_decision", 3),
                        "request_reconsideration",
                        "权利人损失经审计逾二百万元，已达侵犯商业秘密罪立案追诉标准。",
                        on=ON,
                        document_number=Number("岳市监商秘函", 5),
                    ),
                    act(
                        PastDue("police_filing_decision", 5),
                        "reconsideration_decision",
                        police_decision="refused",
                        on=ON,
                        document_number=Number("岳公经复字", 2),
                    ),
                    act(
                        PastDue("police_filing_decision", 6),
                        "request_supervision",
                        "复议维持不予立案决定，建议人民检察院依法进行立案监督。",
                        on=ON,
                        procuratorate="岳阳市人民检察院",
                        document_number=Number("岳市监商秘函", 6),
                    ),
                ),
            ),
            # Not substantiated, the complainant told.
            Story(
                60,
                dict(
                    kind="complaint",
                    channel="park",
                    prefecture_id="430600",
                    county_id="430611",
                    complainant_enterprise="岳阳巴陵精细化工有限公司",
                    respondent_name="岳阳某贸易有限公司",
                    secret_kind="customer",
                    conduct=["improper_acquisition"],
                    description="园区管委会转来：投诉人怀疑客户名单被贸易公司获取。",
                ),
                (
                    act(57, "accept"),
                    act(
                        30,
                        "not_substantiated",
                        "经核查，被投诉人客户系公开渠道获取，未发现其获取投诉人客户名单的证据。",
                    ),
                    act(28, "feedback", "已书面告知核查结论。", method="letter"),
                ),
            ),
            # A real-name report: investigation stopped while the formula is appraised.
            Story(
                25,
                dict(
                    kind="report",
                    channel="liaison",
                    prefecture_id="430600",
                    county_id="430603",
                    complainant_name="王某某",
                    complainant_contact="138****6621",
                    respondent_name="岳阳湘北精细化学品有限公司",
                    respondent_individuals="吴某、郑某，均为岳阳洞庭石化新材料有限公司原工艺工程师。",
                    secret_kind="formula",
                    conduct=["job_hopping", "breach_of_confidence"],
                    description="举报人反映，两名原工艺工程师离职后将催化剂配方带至被举报公司使用。",
                ),
                (
                    act(22, "accept"),
                    log(
                        15, "appraisal", "提取被举报公司催化剂样品，委托司法鉴定机构进行成分比对。"
                    ),
                    pause(10, "appraisal", "委托湖南省产商品质量检验研究院鉴定，预计30日。"),
                ),
            ),
        ),
    ),
    (
        "officer_431000",
        (
            # Mediated, the complainant told.
            Story(
                50,
                dict(
                    kind="complaint",
                    channel="walk_in",
                    prefecture_id="431000",
                    county_id="431003",
                    complainant_enterprise="郴州有色金属新材料有限公司",
                    respondent_name="郴州某检测技术有限公司",
                    secret_kind="process",
                    conduct=["breach_of_confidence"],
                    description="委托检测机构在行业会议上展示了投诉人的冶炼工艺参数。",
                ),
                (
                    act(47, "accept"),
                    act(20, "mediate", "经调解，被投诉人收回会议资料并赔偿投诉人损失五万元。"),
                    act(18, "feedback", "已当面告知调解结果。", method="in_person"),
                ),
            ),
            # A transfer to public security proposed a week ago and still not approved: overdue.
            Story(
                30,
                dict(
                    kind="complaint",
                    channel="park",
                    prefecture_id="431000",
                    county_id="431002",
                    complainant_enterprise="郴州林邑电子科技有限公司",
                    respondent_name="郴州瑞芯电子有限公司",
                    respondent_individuals="黄某，原销售总监。",
                    secret_kind="customer",
                    conduct=["job_hopping", "breach_of_confidence"],
                    estimated_loss=Decimal("650000"),
                    description="投诉人称原销售总监黄某带走重点客户报价体系，造成订单流失六十余万元。",
                ),
                (
                    act(25, "accept"),
                    act(
                        8,
                        "propose_transfer",
                        "损失数额达到追诉标准，建议移送公安机关。",
                        receiving_unit="郴州市公安局经济犯罪侦查支队",
                    ),
                ),
                evidence=(
                    (
                        "lost-orders.pdf",
                        "订单流失统计",
                        ["Lost orders", "Customer A, B and C", "Exhibit 1"],
                    ),
                ),
            ),
            # Not accepted: a contract dispute, not an infringement of secrets.
            Story(
                15,
                dict(
                    kind="complaint",
                    channel="12315",
                    prefecture_id="431000",
                    county_id="431002",
                    complainant_name="郴州某电子配件厂",
                    complainant_contact="0735-2220000",
                    respondent_name="郴州某贸易商行",
                    secret_kind="other_business",
                    conduct=["breach_of_confidence"],
                    description="投诉人称合作方拖欠货款并向他人透露合同价格。",
                ),
                (
                    act(
                        12,
                        "refuse",
                        "所涉合同价格已在招标中公开，不构成商业秘密；货款纠纷请依合同约定协商或诉讼。",
                    ),
                ),
            ),
            # An anonymous report received two days ago.
            Story(
                2,
                dict(
                    kind="report",
                    channel="12345",
                    prefecture_id="431000",
                    county_id="431002",
                    anonymous=True,
                    respondent_name="郴州某数据服务有限公司",
                    secret_kind="customer",
                    conduct=["data_selling"],
                    description="匿名举报：被举报公司在网络群组中出售本地多家电子企业的客户及订单数据。",
                ),
            ),
        ),
    ),
)


def seed():
    if Complaint.objects.exists():
        return 0
    return _Seeder().run()


class _Seeder:
    def __init__(self):
        self.today = timezone.localdate()
        self.users = {u.username: u for u in User.objects.all()}
        self.enterprises = {e.name: e for e in Enterprise.objects.all()}

    def run(self):
        for officer, stories in STORIES:
            for story in stories:
                self.tell(story, officer)
        # The bell shows today's reminders of what is due or overdue.
        services.send_reminders(self.today)
        return Complaint.objects.count()

    def tell(self, story, officer):
        fields = dict(story.fields)
        if "complainant_enterprise" in fields:
            fields["complainant_enterprise"] = self.enterprises[fields["complainant_enterprise"]]
        days = story.days
        if isinstance(days, OverdueReceipt):
            days = self.overdue_receipt()
        complaint = self.register(story.by or officer, days, evidence=story.evidence, **fields)
        due = {}  # the due days PastDue counts from, read at their first step
        for step in story.steps:
            days = step.days
            if isinstance(days, PastDue):
                if days.limit not in due:
                    due[days.limit] = complaint.clocks.get(limit__code=days.limit).due_on
                days = (self.today - due[days.limit]).days - days.days
            data = {name: self.value(value, days) for name, value in step.data.items()}
            call = partial(getattr(self, step.call), complaint, days, officer, **data)
            complaint = self.step(complaint, days, call)

    def value(self, value, days):
        if value is ON:
            return self.day(days)
        if isinstance(value, Number):
            return self.number(value.prefix, days, value.n)
        return value

    # Building blocks -------------------------------------------------------------------------

    def moment(self, days_ago, hour=10):
        day = self.today - dt.timedelta(days=days_ago)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    def day(self, days_ago):
        return self.today - dt.timedelta(days=days_ago)

    def step(self, complaint, days_ago, call):
        """Run ``call`` (a service step) and date what it wrote ``days_ago`` days back."""
        since = timezone.now()
        call()
        return self.backdate(complaint, since, self.moment(days_ago))

    def backdate(self, complaint, since, moment):
        row = Complaint.objects.filter(pk=complaint.pk)
        stamped = row.values(*MILESTONES).get()
        row.update(**{f: moment for f, value in stamped.items() if value and value >= since})
        ComplaintEvent.objects.filter(complaint=complaint, at__gte=since).update(at=moment)
        InvestigationStep.objects.filter(complaint=complaint, recorded_at__gte=since).update(
            recorded_at=moment
        )
        EvidenceFile.objects.filter(complaint=complaint, uploaded_at__gte=since).update(
            uploaded_at=moment
        )
        ClockExtension.objects.filter(complaint=complaint, recorded_at__gte=since).update(
            recorded_at=moment
        )
        JurisdictionTransfer.objects.filter(complaint=complaint, at__gte=since).update(at=moment)
        CreditPush.objects.filter(complaint=complaint, created_at__gte=since).update(
            created_at=moment
        )
        services.refresh_clocks(Complaint.objects.get(pk=complaint.pk))
        return Complaint.objects.get(pk=complaint.pk)

    def register(self, user, days_ago, *, evidence=(), **fields):
        """Register a complaint received ``days_ago`` days back, typed in that morning."""
        files = [_evidence(name, title, lines) for name, title, lines in evidence]
        complaint = Complaint(received_on=self.day(days_ago), **fields)
        since = timezone.now()
        complaint = services.create_complaint(complaint, self.users[user], evidence=files)
        return self.backdate(complaint, since, self.moment(days_ago, hour=9))

    def number(self, prefix, days_ago, n):
        """A document number of the year of that day (长市监立〔2026〕4号)."""
        return f"{prefix}〔{self.day(days_ago).year}〕{n}号"

    def overdue_receipt(self):
        """Days back to a receipt more than 10 working days old (whatever holidays lie between)."""
        days = 14
        while workdays_between(self.day(days), self.today) < 11:
            days += 1
        return days

    # The steps: each a service call by the officer ------------------------------------------

    def act(self, complaint, days_ago, officer, *, action, note, **data):
        services.transition(complaint, action, self.users[officer], note, **data)

    def log(self, complaint, days_ago, officer, *, kind, actions, findings, experts):
        services.log_step(
            complaint,
            self.users[officer],
            kind=kind,
            happened_on=self.day(days_ago),
            actions=actions,
            findings=findings,
            experts=[self.users[name] for name in experts],
        )

    def start_pause(self, complaint, days_ago, officer, **data):
        services.start_pause(complaint, self.users[officer], **data)

    def end_pause(self, complaint, days_ago, officer, *, reason):
        pause = complaint.pauses.get(reason=reason, ended_on__isnull=True)
        services.end_pause(pause, self.users[officer], ended_on=self.day(days_ago))

    def extend(self, complaint, days_ago, officer, **data):
        services.extend(complaint, self.users[officer], **data)

    def hand_on(self, complaint, days_ago, officer, *, prefecture, note):
        to = Prefecture.objects.get(pk=prefecture)
        services.transfer_jurisdiction(complaint, to, self.users[officer], note)

    def publish_penalty(self, complaint, days_ago, officer, **data):
        services.publish_penalty(complaint, self.users[officer], **data)


def _evidence(name, title, lines):
    content = ContentFile(_pdf(lines), name=name)
    return content, check_upload(content), title


def _pdf(lines):
    """A small, valid one-page PDF with a few lines of text (a stand-in exhibit)."""

    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = " ".join(f"({escape(line)}) '" for line in lines)
    content = f"BT /F1 14 Tf 72 770 Td 20 TL {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
