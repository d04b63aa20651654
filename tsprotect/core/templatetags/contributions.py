"""Render what an app contributed to a shared page (a workbench card, a record panel)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def contribution(context, item):
    """The app's template, rendered with the page's context plus the item's own, like
    {% include %} would with a dict: the card sees `user`, `request`, `csrf_token` and its data."""
    included = context.template.engine.get_template(item.template)
    with context.push(item.context):
        return included.render(context)
