"""The complaint queue, its roll-up, its exports and the credit platform CSV: who sees, counts and
exports what, how the queue filters and sorts, and what never leaves the portal."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from complaints import services
from complaints.exporting import COMPLAINT_COLUMNS, CREDIT_COLUMNS
from complaints.models import Complaint
from tsprotect.regions.models import Prefecture

from .conftest import client_for, make_uscc

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LIST = reverse("complaints:list")
OVERVIEW = reverse("complaints:overview")
CREDIT = reverse("complaints:credit")
CREDIT_CSV = reverse("complaints:credit_export")
REPORTER = "举报人赵六"
REPORTER_CONTACT = "13900001111"
SECRET_STORY = "前技术总监离职后带走全部图纸"


def export_url(fmt):
    return reverse("complaints:export", kwargs={"fmt": fmt})


def receive(
    officer,
    *,
    days_ago=1,
    prefecture="430100",
    county="430104",
    kind="complaint",
    channel="12315",
    respondent="长沙某某科技有限公司",
    loss=None,
    **fields,
):
    """A complaint registered by ``officer`` through the service, received ``days_ago`` ago: 30
    days ago is past any 7- or 15-working-day limit, whatever the holidays."""
    fields = {
        "complainant_name": REPORTER,
        "complainant_contact": REPORTER_CONTACT,
        "secret_kind": "technical",
        "conduct": ["job_hopping"],
        "description": SECRET_STORY,
        **fields,
    }
    complaint = Complaint(
        kind=kind,
        channel=channel,
        prefecture_id=prefecture,
        county_id=county,
        received_on=TODAY - dt.timedelta(days=days_ago),
        respondent_name=respondent,
        estimated_loss=loss,
        **fields,
    )
    return services.create_complaint(complaint, officer)


def closed(complaint, officer):
    complaint = services.transition(complaint, "refuse", officer, "不属于商业秘密保护范围")
    complaint = services.transition(complaint, "feedback", officer, "已电话告知", method="phone")
    return services.transition(complaint, "close", officer)


def penalised(officer, *, fine=150_000, decision_number="长市监罚〔2026〕8号", **fields):
    complaint = receive(officer, respondent_credit_code=make_uscc("430104", "MA4L0P001"), **fields)
    complaint = services.transition(complaint, "accept", officer)
    complaint = services.transition(
        complaint, "file_case", officer, case_number="长市监立〔2026〕3号", on=TODAY
    )
    return services.transition(
        complaint,
        "decide_case",
        officer,
        "责令停止违法行为，罚款人民币十五万元。",
        on=TODAY,
        penalty=True,
        decision_number=decision_number,
        facts="当事人违反保密义务披露权利人的技术信息。",
        content="责令停止违法行为，罚款人民币十五万元。",
        fine=fine,
    )


def listed(user, query=""):
    response = client_for(user).get(LIST + query)
    assert response.status_code == 200
    return list(response.context["complaint_list"])


def references(user, query=""):
    return [c.reference for c in listed(user, query)]


def csv_table(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def xlsx_table(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def column(name):
    """The index of an export column by the attribute it shows, whatever the language."""
    with translation.override("en"):
        return [str(c.header) for c in COMPLAINT_COLUMNS].index(name)


# Scoping -------------------------------------------------------------------------------------


def test_the_yueyang_officer_never_sees_counts_or_exports_a_changsha_complaint(
    changsha_officer, yueyang_officer
):
    changsha = penalised(changsha_officer, days_ago=30)
    yueyang = receive(yueyang_officer, prefecture="430600", county=None, respondent="岳阳某公司")
    client = client_for(yueyang_officer)

    assert references(yueyang_officer) == [yueyang.reference]
    assert references(yueyang_officer, f"?q={changsha.reference}") == []
    for query in ("", f"?q={changsha.reference}"):
        exported = csv_table(client.get(export_url("csv") + query))
        assert [row[column("Reference number")] for row in exported[1:]] == (
            [] if query else [yueyang.reference]
        )
        exported = xlsx_table(client.get(export_url("xlsx") + query))
        assert changsha.reference not in {row[column("Reference number")] for row in exported}

    rows = client.get(OVERVIEW).context["rows"]
    assert [(r["prefecture"].pk, r["received"], r["overdue"]) for r in rows] == [("430600", 1, 0)]

    assert list(client.get(CREDIT).context["creditpush_list"]) == []
    credit = b"".join(client.get(CREDIT_CSV).streaming_content).decode()
    assert changsha.reference not in credit and "长市监罚" not in credit
    assert len(csv_table(client.get(CREDIT_CSV))) == 1  # the header alone


def test_a_county_officer_lists_only_its_county(changsha_officer, yuelu_officer):
    yuelu = receive(changsha_officer, county="430104")
    receive(changsha_officer, county="430121")
    assert references(yuelu_officer) == [yuelu.reference]


def test_the_complainant_follows_its_own_complaints_without_the_clocks(
    changsha_officer, enterprise_user, changsha_enterprise
):
    own = receive(
        changsha_officer,
        days_ago=30,
        complainant_enterprise=changsha_enterprise,
        complainant_name="",
    )
    other = receive(changsha_officer, days_ago=30)
    response = client_for(enterprise_user).get(LIST)
    page = response.content.decode()
    assert [c.reference for c in response.context["complaint_list"]] == [own.reference]
    assert other.reference not in page
    assert str(own.get_complainant_status_display()) in page
    assert response.context["complainant_view"] and response.context["can_file"]
    assert reverse("complaints:file") in page and reverse("complaints:create") not in page
    # No deadline, overdue flag, clock or internal filter for the complainant.
    assert own.next_deadline.isoformat() not in page
    assert "status-expired" not in page and "next_deadline" not in page
    assert not {"state", "overdue", "candidate"} & set(response.context["filter"].form.fields)
    assert export_url("csv") not in page
    assert client_for(enterprise_user).get(export_url("csv")).status_code == 403
    assert client_for(enterprise_user).get(OVERVIEW).status_code == 403
    assert client_for(enterprise_user).get(CREDIT).status_code == 403


def test_an_officer_gets_the_register_button_and_the_exports(changsha_officer):
    page = client_for(changsha_officer).get(LIST).content.decode()
    assert reverse("complaints:create") in page and reverse("complaints:file") not in page
    assert export_url("xlsx") in page and OVERVIEW in page and CREDIT in page


# Filters and sorting -------------------------------------------------------------------------


@pytest.fixture
def queue(changsha_officer):
    return {
        "overdue": receive(changsha_officer, days_ago=30, channel="12345"),
        "fresh": receive(changsha_officer, days_ago=0, loss=Decimal(300_000)),
        "report": receive(
            changsha_officer, days_ago=2, kind="report", channel="opinion", respondent="星沙数据"
        ),
        "closed": closed(receive(changsha_officer, days_ago=40), changsha_officer),
    }


def test_the_queue_filters_by_overdue_kind_channel_state_and_candidate(changsha_officer, queue):
    def refs(query):
        return set(references(changsha_officer, query))

    assert refs("?overdue=true") == {queue["overdue"].reference}
    assert queue["overdue"].reference not in refs("?overdue=false")
    assert refs("?kind=report") == {queue["report"].reference}
    assert refs("?channel=12345") == {queue["overdue"].reference}
    assert refs("?state=closed") == {queue["closed"].reference}
    assert refs("?candidate=true") == {queue["fresh"].reference}
    assert queue["closed"].reference not in refs("?open=true")


def test_the_queue_is_searched_by_reference_and_respondent(changsha_officer, queue):
    reference = queue["report"].reference
    assert references(changsha_officer, f"?q={reference}") == [reference]
    assert references(changsha_officer, "?q=星沙") == [reference]


def test_open_complaints_come_first_by_next_deadline(changsha_officer, queue):
    rows = listed(changsha_officer)
    assert rows[-1].reference == queue["closed"].reference
    deadlines = [c.next_deadline for c in rows[:-1]]
    assert None not in deadlines and deadlines == sorted(deadlines)
    assert rows[0].reference == queue["overdue"].reference


def test_the_queue_sorts_by_next_deadline_both_ways(changsha_officer, queue):
    ascending = [c.next_deadline for c in listed(changsha_officer, "?sort=next_deadline")]
    descending = [c.next_deadline for c in listed(changsha_officer, "?sort=-next_deadline")]
    dated = sorted(d for d in ascending if d)
    assert [d for d in ascending if d] == dated
    assert [d for d in descending if d] == dated[::-1]


def test_overdue_complaints_carry_a_badge(changsha_officer, queue):
    response = client_for(changsha_officer).get(LIST)
    flags = {c.reference: c.overdue for c in response.context["complaint_list"]}
    assert flags == {
        queue["overdue"].reference: True,
        queue["fresh"].reference: False,
        queue["report"].reference: False,
        queue["closed"].reference: False,
    }
    assert response.content.decode().count("badge status-expired") == 1


def test_the_list_runs_a_constant_number_of_queries(province, changsha_officer):
    client = client_for(province)
    for days in range(3):
        receive(changsha_officer, days_ago=days * 10, loss=Decimal(400_000))
    client.get(LIST)  # warm the session

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(captured), len(response.context["complaint_list"])

    few, rows = count()
    assert rows == 3
    for days in range(27):
        receive(changsha_officer, days_ago=days, kind="report" if days % 2 else "complaint")
    many, rows = count()
    assert rows == 25 and many == few


# Exports -------------------------------------------------------------------------------------


def test_the_export_holds_no_reporter_identity_and_neutralises_formulas(changsha_officer):
    trap = '=HYPERLINK("http://evil.example","点击")'
    complaint = receive(changsha_officer, days_ago=30, respondent=trap, kind="report")
    client = client_for(changsha_officer)
    csv_rows = csv_table(client.get(export_url("csv")))
    xlsx_rows = xlsx_table(client.get(export_url("xlsx")))
    for rows in (csv_rows, xlsx_rows):
        assert len(rows) == 2
        row = rows[1]
        text = " ".join(str(cell) for cell in row)
        assert REPORTER not in text and REPORTER_CONTACT not in text and SECRET_STORY not in text
        assert row[column("Reference number")] == complaint.reference
        assert row[column("Respondent")] == "'" + trap
        assert row[column("Next deadline")] == complaint.next_deadline.isoformat()
        assert row[column("Overdue")] != ""
    assert client.get(export_url("xlsx")).status_code == 200


def test_the_export_follows_the_list_filter(changsha_officer, queue):
    rows = csv_table(client_for(changsha_officer).get(export_url("csv") + "?kind=report"))
    assert [row[column("Reference number")] for row in rows[1:]] == [queue["report"].reference]
    closed_row = csv_table(client_for(changsha_officer).get(export_url("csv") + "?state=closed"))
    assert closed_row[1][column("Outcome")] != "" and closed_row[1][column("Closed at")] != ""


def test_an_unknown_export_format_is_not_found(changsha_officer):
    assert client_for(changsha_officer).get(export_url("pdf")).status_code == 404


def test_the_credit_csv_is_the_platforms_format_with_the_fine_in_ten_thousands(
    changsha_officer,
):
    complaint = penalised(changsha_officer, fine=Decimal("12345.67"))
    rows = csv_table(client_for(changsha_officer).get(CREDIT_CSV))
    assert rows[0] == [
        "行政相对人名称",
        "行政相对人类别",
        "统一社会信用代码",
        "证件类型",
        "证件号码",
        "行政处罚决定书文号",
        "违法行为类型",
        "违法事实",
        "处罚依据",
        "处罚类别",
        "处罚内容",
        "罚款金额（万元）",
        "没收违法所得、没收非法财物的金额（万元）",
        "处罚决定日期",
        "处罚机关",
        "数据来源单位",
        "备注",
    ]
    assert len(rows[0]) == len(CREDIT_COLUMNS)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["行政相对人名称"] == "长沙某某科技有限公司"
    assert row["行政相对人类别"] == "法人及非法人组织"
    assert row["统一社会信用代码"] == make_uscc("430104", "MA4L0P001")
    assert row["行政处罚决定书文号"] == "长市监罚〔2026〕8号"
    assert row["违法行为类型"] == "侵犯商业秘密"
    assert row["证件类型"] == row["证件号码"] == ""
    assert row["违法事实"] == "当事人违反保密义务披露权利人的技术信息。"
    # The version of the law in force on the day of the decision (today: the 2025 revision).
    assert row["处罚依据"] == "《中华人民共和国反不正当竞争法》（2025修订）第二十六条"
    assert row["处罚类别"] == "罚款"
    assert row["处罚内容"] == "责令停止违法行为，罚款人民币十五万元。"
    assert row["罚款金额（万元）"] == "1.234567"
    assert row["没收违法所得、没收非法财物的金额（万元）"] == ""
    assert row["处罚决定日期"] == TODAY.isoformat()
    assert row["备注"] == complaint.reference
    assert REPORTER not in ",".join(rows[1])


def test_a_penalty_without_a_fine_leaves_the_amount_empty_and_formulas_neutralised(
    changsha_officer,
):
    penalised(changsha_officer, fine=None, respondent="=1+1 公司")
    row = dict(zip(*csv_table(client_for(changsha_officer).get(CREDIT_CSV)), strict=True))
    assert row["罚款金额（万元）"] == "" and row["处罚类别"] == "其他"
    assert row["行政相对人名称"] == "'=1+1 公司"


def test_the_credit_list_shows_the_working_days_left_and_filters_by_publication(
    changsha_officer,
):
    complaint = penalised(changsha_officer)
    response = client_for(changsha_officer).get(CREDIT)
    (push,) = response.context["creditpush_list"]
    assert push.complaint_id == complaint.pk
    clock = complaint.clocks.get(limit__code="penalty_publication")
    assert push.publication_due == clock.due_on and 0 < push.days_left <= 20
    assert complaint.reference in response.content.decode()
    services.publish_penalty(complaint, changsha_officer, published_on=TODAY)
    client = client_for(changsha_officer)
    assert list(client.get(CREDIT + "?published=no").context["creditpush_list"]) == []
    assert len(client.get(CREDIT + "?published=yes").context["creditpush_list"]) == 1
    assert len(csv_table(client.get(CREDIT_CSV + "?published=no"))) == 1


# Roll-up and workbench -----------------------------------------------------------------------


def test_the_overview_totals_equal_the_list_counts(province, changsha_officer, yueyang_officer):
    receive(changsha_officer, days_ago=30, loss=Decimal(500_000))
    receive(changsha_officer, days_ago=0)
    closed(receive(changsha_officer, days_ago=50), changsha_officer)
    receive(yueyang_officer, days_ago=30, prefecture="430600", county=None)
    response = client_for(province).get(OVERVIEW)
    rows, total = response.context["rows"], response.context["total"]
    assert [r["prefecture"].pk for r in rows] == sorted(r["prefecture"].pk for r in rows)
    assert len(rows) == 14
    by_code = {r["prefecture"].pk: r for r in rows}
    assert by_code["431000"]["received"] == 0
    assert (by_code["430100"]["received"], by_code["430100"]["overdue"]) == (3, 1)
    assert total["received"] == len(listed(province)) == 4
    assert total["open"] == len(listed(province, "?open=true")) == 3
    assert total["overdue"] == len(listed(province, "?overdue=true")) == 2
    assert total["candidates"] == len(listed(province, "?candidate=true&open=true")) == 1
    overdue_link = by_code["430100"]["overdue_url"]
    assert overdue_link == f"{LIST}?overdue=true&handled=true&prefecture=430100"
    assert len(listed(province, overdue_link.removeprefix(LIST))) == 1
    assert overdue_link.replace("&", "&amp;") in response.content.decode()


def test_an_officers_overview_is_its_own_prefecture_even_when_empty(yueyang_officer):
    response = client_for(yueyang_officer).get(OVERVIEW)
    (row,) = response.context["rows"]
    assert row["prefecture"].pk == "430600" and row["received"] == 0
    assert row["overdue_url"] == f"{LIST}?overdue=true&handled=true"
    assert response.context["total"] is None


def test_the_workbench_counts_the_queue_for_officers_and_complainants(
    changsha_officer, enterprise_user, changsha_enterprise, expert
):
    receive(changsha_officer, days_ago=30)
    receive(changsha_officer, days_ago=0, complainant_enterprise=changsha_enterprise)
    page = client_for(changsha_officer).get(reverse("home"))
    counts = {url: count for _label, count, url, _tone in page.context["complaint_queue"]}
    assert counts[f"{LIST}?open=true&handled=true"] == 2
    assert counts[f"{LIST}?overdue=true&handled=true"] == 1
    assert f"{LIST}?overdue=true&amp;handled=true" in page.content.decode()

    mine = client_for(enterprise_user).get(reverse("home"))
    assert [count for _l, count, _u, _t in mine.context["complaint_queue"]] == [1]
    assert reverse("complaints:file") in mine.content.decode()
    assert client_for(expert).get(reverse("home")).context["complaint_queue"] == []


def test_the_menu_offers_complaints_to_those_who_reach_some(personas):
    def menu(persona):
        page = client_for(personas[persona]).get(reverse("home"))
        return [item["name"] for item in page.context["menu"]]

    for persona in ("same_officer", "county_officer", "province", "enterprise"):
        assert "complaints:list" in menu(persona)
    assert "complaints:list" not in menu("expert")
    names = menu("province")
    assert names.index("complaints:list") == names.index("assessments:list") + 1


def test_a_consulted_expert_lists_the_complaint_but_exports_nothing(changsha_officer, expert):
    complaint = services.transition(receive(changsha_officer), "accept", changsha_officer)
    services.log_step(
        complaint,
        changsha_officer,
        kind="expert",
        happened_on=TODAY,
        actions="请专家比对图纸",
        experts=[expert],
    )
    page = client_for(expert).get(LIST)
    assert [c.reference for c in page.context["complaint_list"]] == [complaint.reference]
    assert REPORTER not in page.content.decode()
    assert export_url("csv") not in page.content.decode()
    for url in (export_url("csv"), OVERVIEW, CREDIT, CREDIT_CSV):
        assert client_for(expert).get(url).status_code == 403


def test_a_complaint_handed_on_counts_where_it_is_handled_now(changsha_officer, yueyang_officer):
    """The sender keeps a read-only trace in its list, but its queue, workbench and overview
    count only what it handles; the receiver counts it."""
    complaint = receive(changsha_officer, days_ago=1)
    services.transfer_jurisdiction(
        complaint, Prefecture.objects.get(pk="430600"), changsha_officer, "侵权行为地在岳阳"
    )

    def workbench_open(officer):
        page = client_for(officer).get(reverse("home"))
        return page.context["complaint_queue"][0][1]

    assert workbench_open(changsha_officer) == 0
    assert workbench_open(yueyang_officer) == 1
    assert complaint.reference in {c.reference for c in listed(changsha_officer)}
    assert complaint.reference not in {
        c.reference for c in listed(changsha_officer, "?handled=true")
    }
    assert complaint.reference in {c.reference for c in listed(yueyang_officer, "?handled=true")}
    overview = client_for(changsha_officer).get(reverse("complaints:overview"))
    assert [row["open"] for row in overview.context["rows"]] == [0]
