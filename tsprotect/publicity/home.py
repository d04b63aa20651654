"""Sections other apps add to the platform's home page (``public:home``), without editing it.

``SECTIONS`` is a list of ``(label, template name, context callable)``. An app appends to it
once, from its ``AppConfig.ready()``::

    from tsprotect.publicity.home import SECTIONS

    SECTIONS.append((_("Upcoming trainings"), "trainings/_upcoming.html", upcoming_context))

For each section the home page calls ``context(request)`` — it must return a dict and read only
what is public — and renders the template inside a titled ``<section>`` with ``label`` and
that dict as ``data``. Sections appear in the order they were appended, after the notices.
"""

from dataclasses import dataclass

SECTIONS: list = []


@dataclass(frozen=True)
class RenderedSection:
    label: str
    template: str
    data: dict


def rendered_sections(request, sections=None):
    """Each registered section with its context computed for this request."""
    result = []
    for label, template, context in SECTIONS if sections is None else sections:
        data = context(request) if callable(context) else dict(context or {})
        result.append(RenderedSection(str(label), template, data))
    return result
