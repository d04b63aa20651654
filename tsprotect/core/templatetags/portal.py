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


@register.filter
def region_of(user):
    """The name of the user's county, else of their prefecture ("" for neither), read from the
    cached region rows rather than with a query on every page."""
    from tsprotect.regions.choices import region_name

    if user.county_id:
        return region_name("county", user.county_id) or str(user.county)
    if user.prefecture_id:
        return region_name("prefecture", user.prefecture_id) or str(user.prefecture)
    return ""
