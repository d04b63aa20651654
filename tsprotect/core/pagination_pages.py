"""Pages of a list without counting the list.

An exact total of a searched million-row directory costs many times the page itself (the
benchmark measured COUNT at 20× the page query), so list pages fetch one row more than they
show to know whether a next page exists, as search engines do.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator


@dataclass
class WindowPage:
    object_list: list
    number: int
    per_page: int
    has_next_page: bool

    def has_next(self):
        return self.has_next_page

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1

    def start_index(self):
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def window(queryset, page_param, per_page, max_page=10_000):
    """The requested page (1 for anything that is not a sensible page number)."""
    try:
        number = max(1, min(int(page_param), max_page))
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return WindowPage(rows[:per_page], number, per_page, len(rows) > per_page)


def counted_page(request, queryset, per_page):
    """The context of a short list paged by Django's counting Paginator (the public lists):
    the page, whether there are others, and the query string its page links keep."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "query_string": params.urlencode(),
    }
