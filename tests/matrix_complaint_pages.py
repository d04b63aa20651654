"""Permission matrix rows of the complaint intake pages, the complaint page and its steps.

The complaint of the rows is in 长沙市, 岳麓区, filed by the ``enterprise`` persona (see
``matrix_complaints.py``). Its bureau, the 岳麓区 county officer and provincial staff handle it;
the complainant reaches its page but a step it posts is refused by the service (an error
message and a redirect: 302); an expert not consulted and the 岳阳 officer get 404. Steps are
POST only: a GET answers 405 to whoever is logged in.
"""

from .matrix_complaints import (
    accepted_complaint,
    case_filed_complaint,
    changsha_complaint,
    complaint_evidence,
    consultation,
    persona_consulted,
    running_pause,
)
from .permission_matrix import Row, logged_in

OUT_OF_SCOPE = {"expert": 404, "other_officer": 404}
# Internals of the clocks and the evidence are not reached by the complainant either.
INTERNAL = {"enterprise": 404, **OUT_OF_SCOPE}


def accept_step(objects):
    return {**changsha_complaint(objects), "action": "accept"}


def handed_to_yueyang(objects):
    """Handed by the 长沙 bureau to 岳阳: 岳阳 handles it, 长沙 keeps a read-only trace."""
    from complaints import services
    from complaints.models import Complaint
    from tsprotect.accounts.models import User
    from tsprotect.regions.models import Prefecture

    complaint = Complaint.objects.get(**changsha_complaint(objects))
    services.transfer_jurisdiction(
        complaint,
        Prefecture.objects.get(pk="430600"),
        User.objects.get(username="officer_430100"),
        "被投诉人住所地在岳阳",
    )
    return {"pk": complaint.pk}


STEPS = [
    ("complaints:act", accept_step),
    ("complaints:add_evidence", changsha_complaint),
    ("complaints:log_step", accepted_complaint),
    ("complaints:pause", accepted_complaint),
    ("complaints:extend", accepted_complaint),
    ("complaints:transfer", changsha_complaint),
    ("complaints:publish_penalty", case_filed_complaint),
    # Ending an expert's consultation (the complainant's post is refused by the service).
    ("complaints:end_consultation", consultation),
]


def penalty_decision(objects):
    """The case decided with a penalty against a former employee (a natural person)."""
    from complaints import services
    from complaints.models import Complaint
    from tsprotect.accounts.models import User
    from tsprotect.core.validators import make_ric

    complaint = Complaint.objects.get(**case_filed_complaint(objects))
    services.transition(
        complaint,
        "decide_case",
        User.objects.get(username="officer_430100"),
        "经集体讨论决定。",
        on=complaint.case_filed_on,
        penalty=True,
        decision_number="长市监处罚〔2026〕50号",
        party_kind="natural_person",
        party_name="刘某某",
        party_id_number=make_ric("430104", "19910512", "213"),
        facts="当事人违反保密义务披露权利人的技术信息。",
        content="罚款人民币十万元。",
        fine=100_000,
    )
    return {"pk": complaint.pk}


ROWS = [
    # Intake: officers file in their own prefecture; an enterprise is sent to its own form.
    Row("complaints:create", logged_in(200, enterprise=302, expert=403)),
    Row("complaints:create", logged_in(200, enterprise=302, expert=403), method="post"),
    Row("complaints:file", logged_in(403, enterprise=200)),
    Row("complaints:file", logged_in(403, enterprise=200), method="post"),
    # The complaint page: what it shows depends on the audience (tests/test_complaint_pages.py).
    Row("complaints:detail", logged_in(200, **OUT_OF_SCOPE), kwargs=changsha_complaint),
    Row(
        "complaints:detail",
        logged_in(200, expert=404),
        kwargs=handed_to_yueyang,
    ),
    # The steps: an empty form is refused with a message, back to the page.
    *(
        Row(name, logged_in(302, **OUT_OF_SCOPE), kwargs=kwargs, method="post")
        for name, kwargs in STEPS
    ),
    *(Row(name, logged_in(405), kwargs=kwargs) for name, kwargs in STEPS),
    # The decision with a person's whole ID number: for those handling the complaint only.
    Row("complaints:decision", logged_in(200, **INTERNAL), kwargs=penalty_decision),
    # Recusal (回避): the expert consulted only; the others reach the complaint but are not
    # consulted on it.
    Row(
        "complaints:recuse",
        logged_in(403, expert=200, other_officer=404),
        kwargs=persona_consulted,
    ),
    Row(
        "complaints:recuse",
        logged_in(403, expert=302, other_officer=404),
        kwargs=persona_consulted,
        method="post",
        data={"reason": "本人与被投诉人存在劳动关系。"},
    ),
    Row("complaints:end_pause", logged_in(302, **INTERNAL), kwargs=running_pause, method="post"),
    Row("complaints:end_pause", logged_in(405), kwargs=running_pause),
    # Evidence is opened by those handling it (and experts consulted), every opening logged.
    Row("complaints:evidence", logged_in(200, **INTERNAL), kwargs=complaint_evidence),
]
