"""Permission matrix rows of the complaint queue, its roll-up, exports and credit pushes.

The queue is open to whoever reaches a complaint (the enterprise persona as complainant of its
own); the exports, the roll-up and the credit platform pages are the bureaus' and the province's.
The expert persona is consulted on nothing, so it reaches no complaint at all. The builders
put a complaint of 长沙市 (and a penalty for the credit rows) in the database, so that every page
is rendered with a row for those who may see it.
"""

import datetime as dt

from .matrix_complaints import _officer, make_complaint
from .permission_matrix import Row, logged_in

OFFICERS_ONLY = {"enterprise": 403, "expert": 403}


def with_complaint(**url_kwargs):
    def build(objects):
        make_complaint(objects)
        return url_kwargs

    return build


def with_penalty(objects):
    from complaints import services

    from .conftest import make_uscc

    complaint = make_complaint(
        objects, "case_filed", respondent_credit_code=make_uscc("430104", "MA4L0P001")
    )
    services.transition(
        complaint,
        "decide_case",
        _officer(),
        "责令停止违法行为，罚款人民币十五万元。",
        on=dt.date.today(),
        penalty=True,
        decision_number="长市监罚〔2026〕8号",
        facts="当事人违反保密义务披露权利人的技术信息。",
        content="责令停止违法行为，罚款人民币十五万元。",
        fine=150_000,
    )
    return {}


def with_transfer(**url_kwargs):
    """A complaint of 长沙市 sent to public security, so that the transfers list has a row."""

    def build(objects):
        from complaints import services

        complaint = make_complaint(objects, "accepted")
        officer = _officer()
        for action, note, data in (
            ("propose_transfer", "涉嫌侵犯商业秘密罪", {"receiving_unit": "长沙市公安局经侦支队"}),
            ("approve_transfer", "", {"approved_by": "分管副局长"}),
            ("send_transfer", "", {}),
        ):
            complaint = services.transition(complaint, action, officer, note, **data)
        return url_kwargs

    return build


ROWS = [
    Row("complaints:list", logged_in(200, expert=403), kwargs=with_complaint()),
    Row(
        "complaints:list",
        logged_in(200, expert=403),
        kwargs=with_complaint(),
        query="?overdue=false&sort=next_deadline",
    ),
    Row(
        "complaints:export",
        logged_in(200, **OFFICERS_ONLY),
        kwargs=with_complaint(fmt="xlsx"),
    ),
    Row(
        "complaints:export",
        logged_in(200, **OFFICERS_ONLY),
        kwargs=with_complaint(fmt="csv"),
    ),
    Row("complaints:export", logged_in(404), kwargs=lambda objects: {"fmt": "pdf"}),
    Row("complaints:overview", logged_in(200, **OFFICERS_ONLY), kwargs=with_complaint()),
    Row("complaints:credit", logged_in(200, **OFFICERS_ONLY), kwargs=with_penalty),
    Row(
        "complaints:credit",
        logged_in(200, **OFFICERS_ONLY),
        kwargs=with_penalty,
        query="?published=no",
    ),
    Row("complaints:credit_export", logged_in(200, **OFFICERS_ONLY), kwargs=with_penalty),
    # The transfers to public security: the bureaus' (a county officer its county's) and the
    # province's; 岳阳 sees its own, none of 长沙's.
    Row("complaints:transfers", logged_in(200, **OFFICERS_ONLY), kwargs=with_transfer()),
    Row(
        "complaints:transfers",
        logged_in(200, **OFFICERS_ONLY),
        kwargs=with_transfer(),
        query="?late=false&transfer_state=sent&prefecture=430100",
    ),
    Row(
        "complaints:transfers_export",
        logged_in(200, **OFFICERS_ONLY),
        kwargs=with_transfer(fmt="xlsx"),
    ),
    Row(
        "complaints:transfers_export",
        logged_in(200, **OFFICERS_ONLY),
        kwargs=with_transfer(fmt="csv"),
    ),
    Row("complaints:transfers_export", logged_in(404), kwargs=lambda objects: {"fmt": "pdf"}),
]
