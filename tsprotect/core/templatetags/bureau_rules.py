"""Show a value of the bureau's own rules as what it is: the bureau's rule, never law."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tsprotect.core import bureau_rules

register = template.Library()


@register.simple_tag
def bureau_rule_value(code, on=None):
    """The rule's value in force on ``on`` (today by default), with its unit."""
    rule = bureau_rules.rule(code, on)
    return f"{rule.value} {rule.unit_label}"


@register.simple_tag
def bureau_rule_mark(code, on=None):
    """「（本局规定）」, with what the rule is and why it is the bureau's own as its title."""
    rule = bureau_rules.rule(code, on)
    return format_html(
        '<span class="bureau-rule" title="{}：{}">{}</span>',
        rule.label,
        rule.explanation,
        _("(the bureau's rule)"),
    )
