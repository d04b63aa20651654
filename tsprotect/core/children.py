"""The scope of rows that belong to a scoped parent: a complaint's pauses and evidence, an
application's attachments and reviews, a report's history. Such a row is seen where its parent
is: through the parent's prefecture, county and enterprise."""

from .scoping import Scope


def child_scope(parent, path, *, enterprise_actions=(), permissions=None, extra_access=None):
    """The ``Scope`` of a model whose rows reach the scoped model ``parent`` through ``path``
    (``"complaint"``, ``"evaluation__application"``).

    The permissions are the parent's unless given. The parent's enterprise reaches the rows
    only for ``enterprise_actions``. The parent's ``extra_access`` is not inherited: who reads a
    complaint by another way (a bureau that handed it on) does not read all that hangs off it, so
    the child names its own.
    """

    def through(field):
        return f"{path}__{field}" if field else None

    scope = parent.scope
    return Scope(
        prefecture_field=through(scope.prefecture_field),
        county_field=through(scope.county_field),
        enterprise_field=through(scope.enterprise_field) if enterprise_actions else None,
        enterprise_actions=tuple(enterprise_actions),
        permissions=scope.permissions if permissions is None else permissions,
        extra_access=extra_access,
    )
