"""Permission-matrix rows of the complaint API (``/api/v1/complaints/``).

Every complaint is one of 长沙市, 岳麓区, filed by ``changsha_enterprise`` (so the ``enterprise``
persona is its complainant and finds it in its view, but may not act on it: 403), built through
the services in the state the action needs, and each step's body is valid: those handling the
complaint (its bureau, its county, the province) get 200. The expert (consulted on nothing) and
the 岳阳 officer do not find it: 404.
"""

from django.utils import timezone

from complaints import services

from .matrix_complaints import _officer, changsha_complaint, make_complaint, persona_consulted
from .permission_matrix import Row, logged_in

# In the view of its complainant; out of reach of an expert not consulted and of 岳阳.
IN_VIEW = {"expert": 404, "other_officer": 404}
HANDLERS_ONLY = {"enterprise": 403, **IN_VIEW}


def _advanced(objects, state, steps):
    complaint = make_complaint(objects, state)
    for action, note, data in steps:
        complaint = services.transition(complaint, action, _officer(), note, **data)
    return {"pk": complaint.pk}


PROPOSE = ("propose_transfer", "涉嫌侵犯商业秘密罪", {"receiving_unit": "长沙市公安局经侦支队"})
APPROVE = ("approve_transfer", "", {"approved_by": "分管副局长"})
GUIDE = ("guide", "建议申请劳动仲裁", {"remedy": "labour_arbitration"})
FEEDBACK = ("feedback", "已电话告知投诉人处理结果", {"method": "phone"})


def transfer_proposed(objects):
    return _advanced(objects, "accepted", [PROPOSE])


def transfer_approved(objects):
    return _advanced(objects, "accepted", [PROPOSE, APPROVE])


SEND = ("send_transfer", "", {})
REFUSED = (
    "police_decision",
    "",
    {"police_decision": "refused", "on": timezone.localdate(), "document_number": "长公不立字1号"},
)
RECONSIDER = (
    "request_reconsideration",
    "已达追诉标准",
    {"on": timezone.localdate(), "document_number": "长市监商秘函1号"},
)


def transferred(objects):
    return _advanced(objects, "accepted", [PROPOSE, APPROVE, SEND])


def police_refused(objects):
    return _advanced(objects, "accepted", [PROPOSE, APPROVE, SEND, REFUSED])


def reconsideration_asked(objects):
    return _advanced(objects, "accepted", [PROPOSE, APPROVE, SEND, REFUSED, RECONSIDER])


def guided(objects):
    return _advanced(objects, "accepted", [GUIDE])


def fed_back(objects):
    return _advanced(objects, "accepted", [GUIDE, FEEDBACK])


def received(objects):
    return changsha_complaint(objects)


def accepted(objects):
    return {"pk": make_complaint(objects, "accepted").pk}


def case_filed(objects):
    return {"pk": make_complaint(objects, "case_filed").pk}


def _today():
    return timezone.localdate().isoformat()


# action -> (builder of a complaint where it is possible, its body)
STEPS = {
    "accept": (received, {}),
    "refuse": (received, {"note": "不属于本局管辖"}),
    "file_case": (accepted, lambda o: {"case_number": "长市监立〔2026〕9号", "on": _today()}),
    "propose_transfer": (accepted, {"note": PROPOSE[1], **PROPOSE[2]}),
    "approve_transfer": (transfer_proposed, APPROVE[2]),
    "send_transfer": (transfer_approved, {}),
    "police_acceptance": (transferred, lambda o: {"on": _today(), "receipt_number": "长公受字1号"}),
    "police_decision": (
        transferred,
        lambda o: {"police_decision": "filed", "on": _today(), "document_number": "长公立字1号"},
    ),
    "request_reconsideration": (
        police_refused,
        lambda o: {"note": RECONSIDER[1], "on": _today(), "document_number": "长市监商秘函1号"},
    ),
    "reconsideration_decision": (
        reconsideration_asked,
        lambda o: {"police_decision": "filed", "on": _today(), "document_number": "长公复字1号"},
    ),
    "request_supervision": (
        police_refused,
        lambda o: {"note": "建议立案监督", "on": _today(), "procuratorate": "长沙市人民检察院"},
    ),
    "guide": (accepted, {"note": GUIDE[1], **GUIDE[2]}),
    "mediate": (accepted, {"note": "双方达成和解"}),
    "not_substantiated": (accepted, {"note": "经核查，投诉不属实"}),
    "decide_case": (case_filed, lambda o: {"note": "责令停止违法行为", "on": _today()}),
    "feedback": (guided, {"note": FEEDBACK[1], **FEEDBACK[2]}),
    "close": (fed_back, {}),
}


def running_pause(objects):
    """An accepted complaint with a pause running, as the end-of-pause URL names both."""
    complaint = make_complaint(objects, "accepted")
    pause = services.start_pause(
        complaint, _officer(), reason="identification", started_on=timezone.localdate()
    )
    return {"pk": complaint.pk, "pause_id": pause.pk}


PAUSE = {"reason": "identification", "started_on": "", "note": "权利人辨认秘密点"}


def pause_body(objects):
    return {**PAUSE, "started_on": _today()}


def extension_body(objects):
    return {
        "limit": "case_decision",
        "approved_by": "长沙市市场监管局 局长",
        "decided_on": _today(),
        "document_number": "长市监延〔2026〕1号",
        "reason": "案情复杂",
    }


def intake_data(objects):
    """A complaint from the 12315 platform, for 长沙市 岳麓区."""
    return {
        "kind": "complaint",
        "channel": "12315",
        "received_on": _today(),
        "description": "前研发人员携带工艺文件跳槽至竞争企业。",
        "complainant_credit_code": objects["changsha_enterprise"].uscc,
        "respondent_name": "长沙某某新材料有限公司",
        "secret_kind": "process",
        "conduct": ["breach_of_confidence", "job_hopping"],
        "prefecture": "430100",
        "county": "430104",
    }


ROWS = [
    Row("api:complaint-list", logged_in(200, anonymous=401, expert=403)),
    Row(
        "api:complaint-list",
        logged_in(201, anonymous=401, enterprise=403, expert=403, other_officer=400),
        method="post",
        json=True,
        data=intake_data,
    ),
    Row(
        "api:complaint-detail",
        logged_in(200, anonymous=401, **IN_VIEW),
        kwargs=changsha_complaint,
    ),
    Row(
        "api:complaint-events",
        logged_in(200, anonymous=401, **IN_VIEW),
        kwargs=changsha_complaint,
    ),
    Row(
        "api:complaint-recusal",
        logged_in(403, anonymous=401, expert=201, other_officer=404),
        kwargs=persona_consulted,
        method="post",
        json=True,
        data={"reason": "本人与被投诉人存在劳动关系。"},
    ),
    Row(
        "api:complaint-clocks",
        logged_in(200, anonymous=401, **HANDLERS_ONLY),
        kwargs=changsha_complaint,
    ),
    # Pauses and extensions of the clocks: those handling the complaint (201 / 200).
    Row(
        "api:complaint-pauses",
        logged_in(201, anonymous=401, **HANDLERS_ONLY),
        kwargs=accepted,
        method="post",
        json=True,
        data=pause_body,
    ),
    Row(
        "api:complaint-end-pause",
        logged_in(200, anonymous=401, **HANDLERS_ONLY),
        kwargs=running_pause,
        method="post",
        json=True,
        data=lambda o: {"ended_on": _today()},
    ),
    Row(
        "api:complaint-extensions",
        logged_in(201, anonymous=401, **HANDLERS_ONLY),
        kwargs=case_filed,
        method="post",
        json=True,
        data=extension_body,
    ),
    *(
        Row(
            f"api:complaint-{action.replace('_', '-')}",
            logged_in(200, anonymous=401, **HANDLERS_ONLY),
            kwargs=builder,
            method="post",
            json=True,
            data=body,
        )
        for action, (builder, body) in STEPS.items()
    ),
]
