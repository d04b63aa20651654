from django import template

from ..services import provision_in_force, render_citations

register = template.Library()


@register.filter
def citations(text):
    """A stored text with its ``{law.key}`` tokens cited as in force today."""
    return render_citations(text)


@register.simple_tag
def provision(law, key, on=None):
    """The provision ``key`` of ``law`` in force on ``on`` (today), or None."""
    return provision_in_force(law, key, on=on)
