"""The complaint queue at scale: page time against its own query, query count, plans.

Like ``test_list_page.py``: the bare query of a list page is the view's own ``get_queryset()``
for the same request (first 25 rows evaluated); the overview's is ``services.roll_up`` for the
same user, the one grouped query it renders. Ratios are printed, not asserted (a page's fixed
cost — session, auth, scoping, filter form, template — dwarfs a well-indexed query of a few
milliseconds); the query count and the plans are asserted.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Count
from django.test import RequestFactory
from django.urls import reverse

from complaints import services
from complaints.lists import ComplaintListView
from complaints.models import Complaint
from complaints.workflow import OPEN_STATES

from .conftest import interleaved, ms
from .test_list_page import captured_sql, client_for, explain

PER_PAGE = 25
QUEUE = (
    "长沙市 officer, open queue by deadline",
    "officer",
    {"open": "true", "sort": "next_deadline"},
)
OVERDUE = ("长沙市 officer, overdue", "officer", {"overdue": "true"})
LISTS = [QUEUE, OVERDUE]
# Below this many complaints a sequential scan may rightly be cheapest: plans only printed.
PLAN_ASSERTED_FROM = 50_000
SEQ_SCAN = re.compile(r"Seq Scan on complaints_complaint\b")
INDEX_SCAN = re.compile(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:using|on) (\w+)")


@pytest.fixture
def personas(officer, province):
    return {"officer": officer, "province": province}


def view_for(user, params):
    request = RequestFactory().get(reverse("complaints:list"), params)
    request.user = user
    view = ComplaintListView()
    view.setup(request)
    return view


def reads_complaints(statement: str) -> bool:
    return 'FROM "complaints_complaint"' in statement


def test_queue_pages_against_bare_query(personas, results):
    url = reverse("complaints:list")
    rows, notes = [], []
    for label, persona, params in LISTS:
        user = personas[persona]
        client = client_for(user)
        queryset = view_for(user, params).get_queryset()
        found = queryset.count()
        response = client.get(url, params)
        assert response.status_code == 200, (label, response.status_code)
        medians = interleaved(
            {
                "page": lambda client=client, params=params: client.get(url, params),
                "bare": lambda queryset=queryset: list(queryset.all()[: PER_PAGE + 1]),
            }
        )
        rows.append(page_row(label, f"{found:,}", medians))
        notes.append(slowest(label, captured_sql(lambda c=client, p=params: c.get(url, p))))

    province = personas["province"]
    client = client_for(province)
    overview = reverse("complaints:overview")
    assert client.get(overview).status_code == 200
    medians = interleaved(
        {
            "page": lambda: client.get(overview),
            "bare": lambda: services.roll_up(province),
        }
    )
    rows.append(page_row("province, overview", "14 prefectures", medians))
    notes.append(slowest("province, overview", captured_sql(lambda: client.get(overview))))
    results.table(
        40,
        "Complaint queue vs its bare query (ms, medians)",
        ["page", "rows", "page", "bare", "page/bare"],
        rows,
        note=(
            f"{Complaint.objects.count():,} complaints, of which "
            f"{Complaint.objects.filter(state__in=OPEN_STATES).count():,} open. "
            "page: through the test client, end to end. bare: the list view's own queryset, "
            "first 25 rows (+1, as the\npage fetches) evaluated; for the overview, "
            "services.roll_up(province), the grouped query it renders. No target asserted.\n\n"
            + "\n".join(notes)
        ),
    )


def page_row(label, found, medians):
    ratio = medians["page"] / medians["bare"]
    return [label, found, ms(medians["page"]), ms(medians["bare"]), f"{ratio:.1f}×"]


def slowest(label, queries):
    total = sum(seconds for _sql, seconds in queries)
    top = sorted(queries, key=lambda q: q[1], reverse=True)[:3]
    return f"{label}: {len(queries)} queries, {ms(total)} ms in the database; slowest:\n" + (
        "\n".join(f"  {ms(seconds):>7} ms  {statement[:160]}" for statement, seconds in top)
    )


def few_rows_params(officer):
    """A filter of the officer's open queue returning a handful of rows: one day's intake."""
    queryset = view_for(officer, {"open": "true"}).get_queryset()
    by_day = (
        queryset.order_by()
        .values("received_on")
        .annotate(n=Count("pk"))
        .filter(n__gte=1, n__lte=5)
        .order_by("-n", "-received_on")
        .first()
    )
    if by_day is None:
        reference = queryset.values_list("reference", flat=True).first()
        return {"q": reference or "无此编号"}
    day = by_day["received_on"].isoformat()
    return {"open": "true", "received_after": day, "received_before": day}


def test_query_count_is_constant(personas, results):
    officer = personas["officer"]
    url = reverse("complaints:list")
    cases = [
        ("officer", url, QUEUE[2]),
        ("officer", url, {**QUEUE[2], "page": "20"}),
        ("officer", url, OVERDUE[2]),
        ("officer", url, {**QUEUE[2], **few_rows_params(officer)}),
        ("province", url, {"open": "true", "sort": "next_deadline"}),
        ("province", url, {"overdue": "true"}),
    ]
    counts: dict[str, set[int]] = {}
    table = []
    for persona, path, params in cases:
        user = personas[persona]
        found = view_for(user, params).get_queryset().count()
        client = client_for(user)
        client.get(path, params)  # the first request after login also writes the session
        queries = captured_sql(lambda c=client, p=path, q=params: c.get(p, q))
        label = ", ".join(f"{k}={v}" for k, v in params.items()) + f" — {found:,} rows"
        counts.setdefault(persona, set()).add(len(queries))
        table.append([persona, label, len(queries)])
    overview = reverse("complaints:overview")
    for persona in ("officer", "province"):
        client = client_for(personas[persona])
        client.get(overview)
        table.append([persona, "overview", len(captured_sql(lambda c=client: c.get(overview)))])
    results.table(50, "Queries per complaint page", ["persona", "request", "queries"], table)
    for persona, seen in counts.items():
        assert len(seen) == 1, f"{persona}: the queue's query count varies: {sorted(seen)}"


def test_queue_plans_use_an_index(personas, results):
    size = Complaint.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s", [Complaint._meta.db_table]
        )
        indexes = {name for (name,) in cursor.fetchall()}
    problems = []
    cases = [
        (label, reverse("complaints:list"), persona, params) for label, persona, params in LISTS
    ]
    cases.append(("province, overview", reverse("complaints:overview"), "province", {}))
    section = "EXPLAIN ANALYZE of the complaint pages"
    for label, path, persona, params in cases:
        client = client_for(personas[persona])
        statements = [
            sql
            for sql, _s in captured_sql(lambda c=client, p=path, q=params: c.get(p, q))
            if reads_complaints(sql)
        ]
        for statement in statements:
            plan = explain(statement)
            used = sorted(set(INDEX_SCAN.findall(plan)) & indexes)
            results.text(55, section, f"### {label}\n{plan}\n")
            results.text(55, section, f"→ complaint indexes used: {', '.join(used) or 'none'}\n")
            if label == QUEUE[0] and SEQ_SCAN.search(plan):
                problems.append(f"{label}: sequential scan of complaints_complaint")
    if size < PLAN_ASSERTED_FROM:
        results.text(
            55,
            section,
            f"(not asserted: {size:,} complaints is below {PLAN_ASSERTED_FROM:,}; would have "
            f"flagged: {'; '.join(problems) or 'nothing'})",
        )
        return
    assert not problems, "; ".join(problems)
