"""Conflicts of interest of experts, the same rules wherever an expert is brought in (reviewing
a demonstration application, consulted on a complaint): an expert may not act for or work for a
party, nor sit beside a colleague of the same employer on the same matter.

``conflict_of_interest`` is the one check both demonstrations and complaints call; each app
only says who the parties of its matter are and who is already on it. A refusal found by the
check and a recusal the expert declares are both written to the matter's log by the app.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import scoping

APPLICATION, COMPLAINT = "application", "complaint"


@dataclass(frozen=True)
class Party:
    name: str
    uscc: str = ""
    enterprise_id: int | None = None  # when the party is in the directory


def _employer(expert):
    profile = getattr(expert, "expert_profile", None)
    if profile is None:
        return "", ""
    return (profile.employer_uscc or "").strip().upper(), (profile.employer or "").strip()


def acted_for(expert, parties) -> Party | None:
    """The party ``expert`` acts for as an enterprise user, if any."""
    ids = {p.enterprise_id for p in parties if p.enterprise_id}
    own = scoping.enterprise_ids(expert) | ({expert.enterprise_id} - {None})
    return next((p for p in parties if p.enterprise_id and p.enterprise_id in own & ids), None)


def employed_by(expert, parties) -> Party | None:
    """The party ``expert`` works for (by its employer's credit code or name), if any."""
    uscc, name = _employer(expert)
    for party in parties:
        if (uscc and uscc == (party.uscc or "").upper()) or (
            name and name == (party.name or "").strip()
        ):
            return party
    return None


def same_employer(expert, others):
    """The first of ``others`` who works for the same employer as ``expert``, if any."""
    uscc, name = _employer(expert)
    for other in others:
        if other.pk == expert.pk:
            continue
        other_uscc, other_name = _employer(other)
        if (uscc and uscc == other_uscc) or (name and name == other_name):
            return other
    return None


def _reasons(matter):
    # The wording names the matter as its page does; the rule behind it is the same.
    if matter == APPLICATION:
        return {
            "acted_for": _("%(expert)s acts for the applicant."),
            "employed_by": _("%(expert)s works for %(employer)s, a party to the application."),
            "same_employer": _(
                "%(expert)s works for the same employer as %(other)s, already on the panel."
            ),
        }
    return {
        "acted_for": _("%(expert)s acts for a party to the complaint."),
        "employed_by": _("%(expert)s works for %(employer)s, a party to the complaint."),
        "same_employer": _(
            "%(expert)s works for the same employer as %(other)s, consulted on this complaint."
        ),
    }


def conflict_of_interest(expert, parties, colleagues=(), *, matter) -> str | None:
    """Why ``expert`` may not be brought into the matter, or None.

    ``parties`` are the matter's parties (``Party``), ``colleagues`` the experts already on it,
    ``matter`` is ``APPLICATION`` or ``COMPLAINT``.
    """
    parties = list(parties)
    reasons = _reasons(matter)
    if acted_for(expert, parties):
        return reasons["acted_for"] % {"expert": expert}
    party = employed_by(expert, parties)
    if party:
        return reasons["employed_by"] % {"expert": expert, "employer": party.name}
    other = same_employer(expert, colleagues)
    if other:
        return reasons["same_employer"] % {"expert": expert, "other": other}
    return None


def refusals(experts, parties, colleagues=(), *, matter):
    """``(expert, reason)`` for each of ``experts`` the check refuses, each expert judged beside
    the colleagues already on the matter and those chosen before it."""
    parties = list(parties)
    on_matter = list(colleagues)
    present = {colleague.pk for colleague in on_matter}
    found = []
    for expert in experts:
        if expert.pk in present:
            continue
        reason = conflict_of_interest(expert, parties, on_matter, matter=matter)
        if reason:
            found.append((expert, reason))
        on_matter.append(expert)
        present.add(expert.pk)
    return found
