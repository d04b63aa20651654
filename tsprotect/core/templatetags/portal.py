from django import template

register = template.Library()


@register.filter
def minutes(delta):
    """A timedelta as whole minutes, rounded up."""
    if not delta:
        return 0
    return int(-(-delta.total_seconds() // 60))


@register.simple_tag(takes_context=True)
def sort_link(context, field):
    """The query string that sorts the current list by ``field``, toggling the direction."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{field}" if current == field else field
    params.pop("page", None)
    return "?" + params.urlencode()
