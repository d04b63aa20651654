"""Objects the complaint rows of the permission matrix point at.

Every builder makes a complaint of 长沙市, 岳麓区, filed by ``changsha_enterprise`` (so the
``enterprise`` persona is its complainant) and registered by the 长沙 officer, in the state the
row needs, through the services — the same path as the pages.
"""

import datetime as dt

from django.core.files.base import ContentFile

from complaints import services
from complaints.models import Complaint
from tsprotect.accounts.models import User
from tsprotect.core.uploads import CheckedUpload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _officer():
    return User.objects.get(username="officer_430100")


def make_complaint(objects, state="received", **fields):
    officer = _officer()
    complaint = Complaint(
        kind="complaint",
        channel="12315",
        prefecture_id="430100",
        county_id="430104",
        received_on=dt.date.today() - dt.timedelta(days=3),
        complainant_enterprise=objects["changsha_enterprise"],
        respondent_name="长沙某某科技有限公司",
        secret_kind="technical",
        description="前技术总监离职后带走图纸。",
        **fields,
    )
    evidence = [
        (
            ContentFile(PDF, name="evidence.pdf"),
            CheckedUpload("application/pdf", len(PDF), "0" * 64, "evidence.pdf"),
            "图纸比对",
        )
    ]
    complaint = services.create_complaint(complaint, officer, evidence=evidence)
    steps = {
        "received": [],
        "accepted": [("accept", "", {})],
        "case_filed": [
            ("accept", "", {}),
            ("file_case", "", {"case_number": "长市监立〔2026〕1号", "on": dt.date.today()}),
        ],
        "not_accepted": [("refuse", "不属于本局管辖", {})],
    }[state]
    for action, note, data in steps:
        complaint = services.transition(complaint, action, officer, note, **data)
    return complaint


def changsha_complaint(objects):
    return {"pk": make_complaint(objects).pk}


def accepted_complaint(objects):
    return {"pk": make_complaint(objects, "accepted").pk}


def case_filed_complaint(objects):
    return {"pk": make_complaint(objects, "case_filed").pk}


def complaint_evidence(objects):
    return {"pk": make_complaint(objects).evidence.get().pk}


def running_pause(objects):
    complaint = make_complaint(objects, "accepted")
    pause = services.start_pause(
        complaint, _officer(), reason="appraisal", started_on=dt.date.today(), note="司法鉴定"
    )
    return {"pk": pause.pk}


def consultation(objects):
    """An accepted complaint with an expert consulted on it (not the ``expert`` persona, who
    stays consulted on nothing)."""
    from tsprotect.accounts.models import Role

    complaint = make_complaint(objects, "accepted")
    consulted, _created = User.objects.get_or_create(
        username="expert_consulted", defaults={"role": Role.EXPERT}
    )
    services.log_step(
        complaint,
        _officer(),
        kind="expert",
        happened_on=dt.date.today(),
        actions="请专家比对图纸。",
        experts=[consulted],
    )
    return {"pk": complaint.pk, "expert": consulted.pk}


def persona_consulted(objects):
    """An accepted complaint on which the ``expert`` persona is consulted."""
    complaint = make_complaint(objects, "accepted")
    services.log_step(
        complaint,
        _officer(),
        kind="expert",
        happened_on=dt.date.today(),
        actions="请专家比对图纸。",
        experts=[User.objects.get(username="expert1")],
    )
    return {"pk": complaint.pk}
