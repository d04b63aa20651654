"""Every list page draws its filter bar from includes/filter_bar.html: the fields it filters by,
its button, "Clear" once a filter is set, the sort kept through a search, the filter's errors."""

from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tsprotect.core.filter_bar import FilterSelect

from .conftest import english_client_for


class _Bar(HTMLParser):
    """The first filter bar of a page: its attributes, fields, button, links and errors."""

    def __init__(self, html):
        super().__init__()
        self.form = None
        self.fields = {}  # name -> attributes of the input or select
        self.selected = {}  # select name -> the value of its selected option
        self.wide = []  # names of the fields drawn wide
        self.button = ""
        self.links = []
        self.errors = False
        self._inside = self._done = False
        self._grow = self._select = None
        self._in_button = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done:
            self.errors = self.errors or "form-errors" in (attrs.get("class") or "")
            return
        if tag == "form" and "filter-bar" in (attrs.get("class") or "").split():
            self.form, self._inside = attrs, True
        if not self._inside:
            return
        if tag == "div":
            self._grow = "grow" in (attrs.get("class") or "").split()
        elif tag in ("input", "select"):
            self.fields[attrs["name"]] = attrs
            if self._grow:
                self.wide.append(attrs["name"])
            self._select = attrs["name"] if tag == "select" else None
        elif tag == "option" and "selected" in attrs:
            self.selected[self._select] = attrs["value"]
        elif tag == "button":
            self._in_button = True
        elif tag == "a":
            self.links.append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "button":
            self._in_button = False
        if tag == "form" and self._inside:
            self._inside, self._done = False, True

    def handle_data(self, data):
        if self._in_button:
            self.button += data.strip()


def bar(page):
    assert page.status_code == 200
    found = _Bar(page.content.decode())
    assert found.form is not None, "no filter bar"
    return found


# (URL name, persona, the fields of the bar, the button, the wide field)
PAGES = [
    ("enterprises:list", "same_officer", {"q", "county", "park", "filed_after"}, "Search", "q"),
    ("complaints:list", "same_officer", {"q", "state", "received_after"}, "Search", "q"),
    ("complaints:transfers", "same_officer", {"q", "sent_after"}, "Filter", None),
    ("complaints:credit", "same_officer", {"published"}, "Filter", None),
    ("demonstrations:list", "same_officer", {"q", "state", "track"}, "Search", "q"),
    ("assessments:list", "same_officer", {"q", "submitted_after"}, "Search", "q"),
    ("users", "province", {"q", "prefecture"}, "Search", "q"),
    ("reports:list", "same_officer", {"period_kind"}, "Show", None),
    ("trainings:list", "same_officer", {"status"}, "Show", None),
    ("publicity:notice_list", "province", {"status"}, "Show", None),
    ("public:designations", "anonymous", {"track", "prefecture", "year"}, "Show", None),
    ("public:trainings", "anonymous", {"prefecture"}, "Show", None),
    ("public:notices", "anonymous", {"category"}, "Show", None),
    ("assessments:due_visits", "province", {"prefecture"}, "Show", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "persona", "fields", "button", "wide"), PAGES)
def test_it_draws_the_filter_bar_of_each_list_page(personas, name, persona, fields, button, wide):
    client = english_client_for(personas[persona])
    found = bar(client.get(reverse(name)))
    assert fields <= set(found.fields)
    assert found.button == button
    assert found.wide == ([wide] if wide else [])
    assert "?" not in found.links  # nothing to clear yet
    # The search landmark, but on the visits due (a plain bar).
    assert (found.form.get("role") == "search") == (name != "assessments:due_visits")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "persona"), [(p[0], p[1]) for p in PAGES])
def test_it_offers_to_clear_a_filter_once_set(personas, name, persona):
    client = english_client_for(personas[persona])
    field = "q" if "q" in [p[2] for p in PAGES if p[0] == name][0] else "x"
    found = bar(client.get(reverse(name), {field: "湖南"}))
    # The visits due page never offered "Clear"; the others do.
    assert ("?" in found.links) == (name != "assessments:due_visits")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "persona", "placeholder"),
    [
        ("enterprises:list", "same_officer", "Name fragment or exact credit code"),
        ("complaints:list", "same_officer", "Reference, case number or respondent"),
        ("users", "province", "User name, name or e-mail"),
    ],
)
def test_it_keeps_the_search_and_the_sort(personas, name, persona, placeholder):
    client = english_client_for(personas[persona])
    found = bar(client.get(reverse(name), {"q": "湖南", "sort": "name"}))
    search = found.fields["q"]
    assert (search["type"], search["value"], search["placeholder"]) == (
        "search",
        "湖南",
        placeholder,
    )
    assert found.fields["sort"] == {"type": "hidden", "name": "sort", "value": "name"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "persona", "query", "shown"),
    [
        ("enterprises:list", "same_officer", {"filed_after": "bad"}, True),
        ("complaints:list", "same_officer", {"received_after": "bad"}, True),
        ("demonstrations:list", "same_officer", {"state": "bad"}, True),
        ("reports:list", "province", {"prefecture": "bad"}, True),
        # These pages never listed their filter's errors.
        ("complaints:transfers", "same_officer", {"sent_after": "bad"}, False),
        ("assessments:list", "same_officer", {"submitted_after": "bad"}, False),
    ],
)
def test_it_lists_the_filters_errors_under_the_bar(personas, name, persona, query, shown):
    found = bar(english_client_for(personas[persona]).get(reverse(name), query))
    assert found.errors == shown


@pytest.mark.django_db
def test_the_reports_bar_is_named_and_clears_only_a_filter(personas):
    client = english_client_for(personas["same_officer"])
    found = bar(client.get(reverse("reports:list"), {"page": "1"}))
    assert found.form["aria-label"] == "Filter the reports"
    assert "?" not in found.links  # a page number is no filter


@pytest.mark.django_db
def test_the_public_designations_keep_the_prefecture_picked(personas):
    client = english_client_for(None)
    found = bar(client.get(reverse("public:designations"), {"prefecture": "430100"}))
    assert found.selected == {"prefecture": "430100"}


@pytest.mark.django_db
def test_an_officer_sees_no_prefecture_filter_on_the_visits_due(personas):
    page = english_client_for(personas["same_officer"]).get(reverse("assessments:due_visits"))
    assert 'class="filter-bar' not in page.content.decode()


def test_a_drop_down_compares_its_choices_as_the_query_string_gives_them():
    year = FilterSelect("year", "Year", [(2026, 2026), (2025, 2025)], "2025")
    html = render_to_string("includes/filter_bar.html", {"selects": [year], "submit": "Show"})
    found = _Bar(html)
    assert found.selected == {"year": "2025"}
    assert found.fields["year"] == {"id": "id_year", "name": "year"}
