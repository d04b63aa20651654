"""The complaint queue as XLSX or CSV, and the credit platform's CSV: each from one list of columns.

The caller passes a queryset already scoped (``restrict(user, "view")``) and filtered; rows are
read in chunks, so a province-wide export stays in constant memory. An export leaves the portal:
it holds how each complaint is handled, never who complained. The complainant or reporter (name,
contact, enterprise), the description, the individuals named, notes and the investigation log are
not columns (投诉举报处理暂行办法 art. 33: the reporter's identity is confidential).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsprotect.core.spreadsheets import csv_rows, write_xlsx

from . import services
from .models import ComplaintEvent
from .workflow import AUDIENCES, OUTCOME_STATES, PartyKind, PoliceDecision, State, TransferState

CHUNK_SIZE = 2_000
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, the header row aside
RELATED = ("prefecture", "county", "respondent_enterprise")


@dataclass(frozen=True)
class Column:
    header: str
    cell: Callable[[object], object]
    width: int = 14
    # The field of ``workflow.AUDIENCES`` the cell tells: blank in a row whose audience is not
    # shown it (a bureau's trace of a complaint it handed on).
    field: str = ""


def _text(value) -> str:
    return "" if value in (None, "") else str(value)


def _date(value) -> str:
    return value.isoformat() if value else ""


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _respondent(complaint) -> str:
    # The company only: the individuals named (former employees …) are personal data.
    if complaint.respondent_enterprise_id:
        return complaint.respondent_enterprise.name
    return complaint.respondent_name


def _conduct(complaint) -> str:
    return "; ".join(str(label) for label in complaint.get_conduct_display())


def _outcome(complaint) -> str:
    """The outcome reached, still told once the complaint is closed, with the remedy if any."""
    state = complaint.state
    if state == State.CLOSED:
        state = complaint.closed_from or ""
    if state not in OUTCOME_STATES:
        return ""
    outcome = str(State(state).label)
    if complaint.remedy:
        outcome = f"{outcome}: {complaint.get_remedy_display()}"
    return outcome


COMPLAINT_COLUMNS = (
    Column(gettext_lazy("Reference number"), lambda c: c.reference, 24, "reference"),
    Column(gettext_lazy("Kind"), lambda c: _text(c.get_kind_display()), 10, "kind"),
    Column(gettext_lazy("Channel"), lambda c: _text(c.get_channel_display()), 18, "channel"),
    Column(gettext_lazy("Received on"), lambda c: _date(c.received_on), 12, "received_on"),
    Column(gettext_lazy("Prefecture"), lambda c: c.prefecture.name, 10, "prefecture"),
    Column(gettext_lazy("County"), lambda c: c.county.name if c.county_id else "", 10, "county"),
    Column(gettext_lazy("Status"), lambda c: _text(c.get_state_display()), 18, "status"),
    Column(gettext_lazy("Respondent"), _respondent, 30, "respondent_name"),
    Column(
        gettext_lazy("Secret concerned"),
        lambda c: _text(c.get_secret_kind_display()),
        14,
        "secret_kind",
    ),
    Column(gettext_lazy("Alleged conduct"), _conduct, 30, "conduct"),
    Column(gettext_lazy("Estimated loss (yuan)"), lambda c: c.estimated_loss, 14, "estimated_loss"),
    Column(gettext_lazy("Next deadline"), lambda c: _date(c.next_deadline), 12, "next_deadline"),
    Column(gettext_lazy("Overdue"), lambda c: _("yes") if c.overdue else "", 8, "overdue"),
    Column(gettext_lazy("Case number"), lambda c: c.case_number, 20, "case_number"),
    Column(gettext_lazy("Outcome"), _outcome, 24, "remedy"),
    Column(gettext_lazy("Closed at"), lambda c: _moment(c.closed_at), 16, "closed_at"),
)


def _complaint_rows(queryset, user) -> Iterator[list]:
    closed_from = ComplaintEvent.objects.filter(complaint=OuterRef("pk"), action="close")
    queryset = services.with_overdue_flag(queryset.select_related(*RELATED)).annotate(
        closed_from=Subquery(closed_from.order_by("-at", "-pk").values("from_state")[:1])
    )
    queryset = services.with_audience(queryset, user)
    for complaint in queryset.iterator(chunk_size=CHUNK_SIZE):
        shown = AUDIENCES[complaint.audience].fields
        yield [
            column.cell(complaint) if column.field in shown else "" for column in COMPLAINT_COLUMNS
        ]


def _headers(columns):
    return [str(column.header) for column in columns]


def complaints_xlsx(queryset, user, output=None):
    """The complaints of ``queryset`` as ``user`` may read them, as XLSX bytes (or written into
    ``output``); beyond what a sheet holds, export CSV."""
    return write_xlsx(
        _headers(COMPLAINT_COLUMNS),
        islice(_complaint_rows(queryset, user), XLSX_MAX_ROWS),
        output,
        title=_("Complaints and reports"),
        widths=[column.width for column in COMPLAINT_COLUMNS],
    )


def complaints_csv(queryset, user) -> Iterator[str]:
    """The complaints of ``queryset`` as ``user`` may read them, as CSV lines (UTF-8 with BOM),
    for a streaming response."""
    return csv_rows(_headers(COMPLAINT_COLUMNS), _complaint_rows(queryset, user))


# The social credit platform's import of administrative penalties (行政处罚信息): its headers and
# fixed values are the platform's format, in Chinese whatever the user's language. Each column
# is filled from its own field of the decision; the party's category follows its kind.
PARTY_CATEGORIES = {
    PartyKind.ORGANISATION: "法人及非法人组织",
    PartyKind.NATURAL_PERSON: "自然人",
    PartyKind.INDIVIDUAL_BUSINESS: "个体工商户",
}
ID_CARD = "身份证"
OFFENCE_TYPE = "侵犯商业秘密"
FINE = "罚款"
CONFISCATION = "没收违法所得"
OTHER_PENALTY = "其他"
TEN_THOUSAND = Decimal(10_000)
FINE_PLACES = Decimal("0.000001")


def _in_wan(amount) -> str:
    if amount is None:
        return ""
    return str((amount / TEN_THOUSAND).quantize(FINE_PLACES))


def _penalty_kinds(push) -> str:
    kinds = [
        name for name, amount in ((FINE, push.fine), (CONFISCATION, push.confiscated)) if amount
    ]
    return ";".join(kinds) or OTHER_PENALTY


CREDIT_COLUMNS = (
    Column("行政相对人名称", lambda p: p.respondent_name),
    Column("行政相对人类别", lambda p: PARTY_CATEGORIES[p.party_kind]),
    Column("统一社会信用代码", lambda p: p.respondent_credit_code),
    Column("证件类型", lambda p: ID_CARD if p.is_person else ""),
    # A person's ID number leaves the portal masked: only the decision itself carries it whole.
    Column("证件号码", lambda p: p.id_number_masked),
    Column("行政处罚决定书文号", lambda p: p.decision_number),
    Column("违法行为类型", lambda p: OFFENCE_TYPE),
    Column("违法事实", lambda p: p.facts),
    Column("处罚依据", lambda p: p.basis),
    Column("处罚类别", _penalty_kinds),
    Column("处罚内容", lambda p: p.content),
    Column("罚款金额（万元）", lambda p: _in_wan(p.fine)),
    Column("没收违法所得、没收非法财物的金额（万元）", lambda p: _in_wan(p.confiscated)),
    Column("处罚决定日期", lambda p: _date(p.decided_on)),
    Column("处罚机关", lambda p: p.authority),
    Column("数据来源单位", lambda p: p.authority),
    Column("备注", lambda p: p.complaint.reference),
)


def credit_csv(queryset) -> Iterator[str]:
    """The penalty records of ``queryset`` (``CreditPush``) in the platform's CSV (UTF-8 with BOM,
    every cell neutralised against formulas)."""
    rows = (
        [column.cell(push) for column in CREDIT_COLUMNS]
        for push in queryset.select_related("complaint").iterator(chunk_size=CHUNK_SIZE)
    )
    return csv_rows(_headers(CREDIT_COLUMNS), rows)


# Transfers to public security and what came back from the police (行政执法机关移送涉嫌犯罪案件的
# 规定 arts. 8–9): the handling of the case, never who complained.


def _choice(value, choices) -> str:
    return _text(dict(choices).get(value, value)) if value else ""


TRANSFER_COLUMNS = (
    Column(gettext_lazy("Reference number"), lambda c: c.reference, 24),
    Column(gettext_lazy("Prefecture"), lambda c: c.prefecture.name, 10),
    Column(gettext_lazy("County"), lambda c: c.county.name if c.county_id else "", 10),
    Column(gettext_lazy("Receiving public security unit"), lambda c: c.transfer_unit, 28),
    Column(gettext_lazy("Sent at"), lambda c: _moment(c.transfer_sent_at), 16),
    Column(gettext_lazy("Accepted by the police on"), lambda c: _date(c.police_accepted_on), 12),
    Column(gettext_lazy("Number of the police's receipt"), lambda c: c.police_receipt_number, 22),
    Column(
        gettext_lazy("Police's answer"),
        lambda c: _choice(c.transfer_state, TransferState.choices),
        20,
    ),
    Column(
        gettext_lazy("Police's decision on filing"),
        lambda c: _choice(c.police_decision, PoliceDecision.choices),
        14,
    ),
    Column(gettext_lazy("Police decided on"), lambda c: _date(c.police_decided_on), 12),
    Column(gettext_lazy("Number of the police's notice"), lambda c: c.police_document_number, 22),
    Column(
        gettext_lazy("Reconsideration requested on"),
        lambda c: _date(c.reconsideration_requested_on),
        12,
    ),
    Column(
        gettext_lazy("Police's reconsideration decision"),
        lambda c: _choice(c.reconsideration_decision, PoliceDecision.choices),
        14,
    ),
    Column(
        gettext_lazy("Reconsideration decided on"),
        lambda c: _date(c.reconsideration_decided_on),
        12,
    ),
    Column(
        gettext_lazy("Procuratorate supervision requested on"),
        lambda c: _date(c.supervision_requested_on),
        12,
    ),
    Column(gettext_lazy("People's procuratorate"), lambda c: c.procuratorate, 20),
    Column(gettext_lazy("Police's answer due"), lambda c: _date(c.police_due), 12),
    Column(gettext_lazy("Police answered late"), lambda c: _("yes") if c.police_late else "", 8),
)


def _transfer_rows(queryset) -> Iterator[list]:
    for complaint in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [column.cell(complaint) for column in TRANSFER_COLUMNS]


def transfers_xlsx(queryset, output=None):
    """The transfers of ``queryset`` (``services.police_transfers``) as XLSX bytes."""
    return write_xlsx(
        _headers(TRANSFER_COLUMNS),
        islice(_transfer_rows(queryset), XLSX_MAX_ROWS),
        output,
        title=_("Transfers to public security"),
        widths=[column.width for column in TRANSFER_COLUMNS],
    )


def transfers_csv(queryset) -> Iterator[str]:
    """The transfers of ``queryset`` as CSV lines (UTF-8 with BOM), every cell neutralised."""
    return csv_rows(_headers(TRANSFER_COLUMNS), _transfer_rows(queryset))
