"""The navigation menu by role: an entry shows only when its page would let the user in.

Each app registers its own entries (core.contributions.menu_entry) with who sees them; core
keeps only its own: the workbench, the API documentation and the administration."""

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from .contributions import menu_entry, registry


def register():
    menu_entry("home", _("Workbench"), order=0)
    menu_entry(
        "api-docs",
        _("API"),
        visible=lambda user: user.is_superuser or user.role in ("province",),
        order=130,
    )
    menu_entry("admin:index", _("Administration"), visible=lambda user: user.is_staff, order=140)


_urls: dict[tuple[str, str], str] = {}


def _url(name: str) -> str:
    """The entry's address: reversed once per process, not on every page."""
    key = (name, get_script_prefix())
    if key not in _urls:
        _urls[key] = reverse(name)
    return _urls[key]


def menu_for(user):
    return [
        {"url": _url(entry.url_name), "name": entry.url_name, "label": entry.label}
        for entry in registry.menu_for(user)
    ]
