"""Which provision of law applies on a day: the one question the other apps ask of ``legal``."""

import datetime as dt
import re

from django.utils import timezone

from tsprotect.core import request_memo

from .models import Provision

# "{aucl.trade_secret_definition}" in a stored text (a checklist item's basis) stands for the
# citation in force on the day the text is read.
TOKEN = re.compile(r"\{([a-z][a-z0-9_]*)\.([a-z0-9_.]+)\}")


def provision_in_force(law, key, on=None):
    """The version of provision ``key`` of ``law`` in force on ``on`` (today by default), or
    None when the table has none for that day."""
    on = on or timezone.localdate()
    if isinstance(on, dt.datetime):
        on = timezone.localdate(on)
    return (
        Provision.objects.filter(law=law, key=key, in_force_from__lte=on)
        .exclude(in_force_until__lt=on)
        .order_by("-in_force_from")
        .first()
    )


def latest_provision(law, key, on=None):
    """The provision in force on ``on``, else the last version that came into force before it
    (its citation names its version, so it never passes for the text in force), or None."""
    on = on or timezone.localdate()
    return provision_in_force(law, key, on=on) or (
        Provision.objects.filter(law=law, key=key, in_force_from__lte=on)
        .order_by("-in_force_from")
        .first()
    )


def render_citations(text, on=None):
    """``text`` with each ``{law.key}`` token replaced by the citation of ``latest_provision``;
    a token the table cannot answer at all is left as written, so that the gap shows."""
    if not text or "{" not in text:
        return text

    day = on or timezone.localdate()

    def cite(match):
        law, key = match.group(1), f"{match.group(1)}.{match.group(2)}"
        # A checklist names the same few provisions on every item: read each once a request.
        provision = request_memo.get(
            ("legal.provision", law, key, day), lambda: latest_provision(law, key, on=day)
        )
        return provision.citation if provision else match.group(0)

    return TOKEN.sub(cite, text)
