"""Finding enterprises by a name fragment or an exact credit code."""

import re

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from tsprotect.core.validators import normalise_uscc

CODE_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def bigrams(term: str) -> list[str]:
    term = term.lower()
    return sorted({term[i : i + 2] for i in range(len(term) - 1)})


def search(queryset, term: str):
    """An exact credit code finds that enterprise; anything else is a name fragment.

    On PostgreSQL the fragment's bigrams are matched against the indexed ``name_bigrams`` column
    first (so 2-character fragments use an index too), then ``LIKE`` checks the exact substring of
    longer fragments. Bigrams are of the lower-cased name, so the match ignores case like
    ``icontains`` does.
    """
    term = term.strip()
    if not term:
        return queryset
    code = normalise_uscc(term)
    if CODE_PATTERN.match(code):
        return queryset.filter(uscc=code)
    if connection.vendor == "postgresql" and len(term) >= 2:
        table = queryset.model._meta.db_table
        contains_bigrams = queryset.filter(
            RawSQL(  # noqa: S611 - the table name is the model's; the term is a parameter
                f'"{table}"."name_bigrams" @> %s::text[]',
                (bigrams(term),),
                output_field=BooleanField(),
            )
        )
        if len(term) == 2:
            # The bigram match is the substring test itself; adding LIKE only misleads the
            # planner's estimate (it expected 1,158 names with 重工 of 51,096, and sorted them all).
            return contains_bigrams
        queryset = contains_bigrams
    return queryset.filter(name__icontains=term)
