"""Permission-matrix rows of the report API (``/api/v1/reports/``).

The report is 长沙市's on the last closed quarter (made by ``matrix_report_pages``): its bureau
and the province find it, every other persona gets 404 (county officers, experts and
enterprises see no reports at all: 403 on the list). The bureau prepares and submits it, the
province reviews it; each refuses the other's step (403).
"""

from .matrix_report_pages import (
    changsha_build,
    changsha_rendered,
    changsha_report,
    quarter,
    submitted_report,
)
from .permission_matrix import Row, logged_in

NO_REPORTS = {"enterprise": 403, "expert": 403, "county_officer": 403}
OUT_OF_REACH = {"enterprise": 404, "expert": 404, "county_officer": 404, "other_officer": 404}
NARRATIVE = {"work_done": "走访重点企业 12 家。", "problems": "", "next_steps": ""}


def build_body(objects):
    return {"period": quarter().code, "prefecture": "430100"}


def changsha_build_id(objects):
    return {"build_id": changsha_build(objects)["pk"]}


ROWS = [
    Row("api:report-list", logged_in(200, anonymous=401, **NO_REPORTS)),
    Row("api:report-detail", logged_in(200, anonymous=401, **OUT_OF_REACH), kwargs=changsha_report),
    Row("api:report-pdf", logged_in(200, anonymous=401, **OUT_OF_REACH), kwargs=changsha_rendered),
    Row("api:report-xlsx", logged_in(200, anonymous=401, **OUT_OF_REACH), kwargs=changsha_rendered),
    Row(
        "api:report-build",
        logged_in(202, anonymous=401, other_officer=403, **NO_REPORTS),
        method="post",
        json=True,
        data=build_body,
    ),
    Row(
        "api:report-build-status",
        logged_in(200, anonymous=401, other_officer=404, **NO_REPORTS),
        kwargs=changsha_build_id,
    ),
    Row(
        "api:report-narrative",
        logged_in(200, anonymous=401, province=403, **OUT_OF_REACH),
        kwargs=changsha_report,
        method="post",
        json=True,
        data=NARRATIVE,
    ),
    Row(
        "api:report-submit",
        logged_in(200, anonymous=401, province=403, **OUT_OF_REACH),
        kwargs=changsha_report,
        method="post",
        json=True,
        data=NARRATIVE,
    ),
    Row(
        "api:report-acknowledge",
        logged_in(403, anonymous=401, province=200, **OUT_OF_REACH),
        kwargs=submitted_report,
        method="post",
        json=True,
        data={"comment": "已收悉"},
    ),
    Row(
        "api:report-return",
        logged_in(403, anonymous=401, province=200, **OUT_OF_REACH),
        kwargs=submitted_report,
        method="post",
        json=True,
        data={"comment": "请补充投诉办理情况"},
    ),
]
