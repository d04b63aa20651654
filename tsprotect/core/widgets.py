from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget


def _text(value) -> str:
    """What a template prints for ``value``: escaped, unless it is already safe HTML."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


class FastSelect(forms.Select):
    """A select rendered in Python rather than one template per option.

    The directory's filter bar offers up to ~300 options (counties, parks, industries); through
    Django's option template they took half the list page's time (measured, benchmarks/). The
    options are written straight from ``choices``, with Django's rules (a ``None`` value is the
    empty option, only the first matching option is selected, a list label is an optgroup) but
    without building a template context per option.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        values = self.format_value(value)
        parts = [f'<select name="{_text(name)}"{flatatt(attrs)}>']
        has_selected = False
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            grouped = isinstance(option_label, (list, tuple))
            group = option_value if grouped else None
            if group:
                parts.append(f'<optgroup label="{_text(group)}">')
            for subvalue, sublabel in option_label if grouped else [(option_value, option_label)]:
                selected = (not has_selected or self.allow_multiple_selected) and str(
                    subvalue
                ) in values
                has_selected |= selected
                parts.append(
                    f'<option value="{_text(subvalue)}"{" selected" if selected else ""}>'
                    f"{_text(sublabel)}</option>"
                )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))


class DateInput(forms.DateInput):
    """The browser's date picker; its value is always ISO (``2026-09-28``), whatever the
    language, or the picker shows an initial date as empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class YesNoSelect(BooleanWidget):
    """A yes/no filter whose empty choice reads like every other filter's (not "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "---------"), ("true", _("yes")), ("false", _("no"))]
