"""Conflicts of interest of experts, the same rules wherever an expert is brought in (reviewing
a demonstration application, consulted on a complaint): an expert may not act for or work for a
party, nor sit beside a colleague of the same employer on the same matter."""

from dataclasses import dataclass

from . import scoping


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
