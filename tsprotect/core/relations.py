"""Writable relations: the rows a user may name in a form field or an API body.

Every id that arrives in a form or an API body belongs to someone. Each relation a user writes
draws its rows from ``choices(user, queryset)``, which narrows whatever the form or serializer
offers to what the user may see:

- a scoped model (one with a ``scope``) through ``restrict(user, "view")``;
- a model whose app registered a chooser (the expert pool, the parks of a bureau) through it;
- reference data every user may name (the regions, the checklist, the batches) as it is.

A model in none of these raises ``ImproperlyConfigured``, so a new relation cannot be left
unscoped. An out-of-scope id is then refused by the field exactly like a missing one, with the
field's own message: the answer tells nothing about rows the user may not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from rest_framework import serializers

from . import scoping

# model label (lower case) -> chooser(user, queryset) -> queryset
_choosers: dict[str, Callable] = {}
_reference: set[str] = set()


def register_chooser(model_label: str, chooser: Callable) -> None:
    """``chooser(user, queryset)`` narrows ``queryset`` to the rows ``user`` may name."""
    _choosers[model_label.lower()] = chooser


def register_reference(*model_labels: str) -> None:
    """Reference data that every user of a form may name (regions, published checklists)."""
    _reference.update(label.lower() for label in model_labels)


def kind_of(model) -> str:
    """How rows of ``model`` are chosen: ``chooser``, ``scoped`` or ``reference``."""
    label = model._meta.label_lower
    if label in _choosers:
        return "chooser"
    if getattr(model, "scope", None) is not None:
        return "scoped"
    if label in _reference:
        return "reference"
    raise ImproperlyConfigured(
        f"{model._meta.label} is named in a writable relation but has no scope, chooser or "
        "reference declaration (tsprotect.core.relations)."
    )


def choices(user, queryset: models.QuerySet) -> models.QuerySet:
    """The rows of ``queryset`` that ``user`` may name; none for a form not bound to a user."""
    kind = kind_of(queryset.model)
    if user is None or not user.is_authenticated or not user.is_active:
        # Anonymous forms (the public report) may name reference data only.
        return queryset if kind == "reference" else queryset.none()
    if kind == "chooser":
        return _choosers[queryset.model._meta.label_lower](user, queryset)
    if kind == "scoped":
        return scoping.restrict(queryset, user, "view")
    return queryset


# The form field's own words, so a service's refusal reads like the field's.
INVALID_CHOICE = forms.ModelChoiceField.default_error_messages["invalid_choice"]


def check_choices(user, field: str, rows: Iterable[models.Model] | models.Model | None) -> None:
    """Refuse rows ``user`` may not name, as a form field refuses a missing id.

    The services call it again on what the forms and serializers hand them, so that a caller
    which skipped the field (the admin, a task, a script) cannot write a relation out of scope.
    """
    if rows is None:
        return
    rows = [rows] if isinstance(rows, models.Model) else list(rows)
    if not rows:
        return
    model = type(rows[0])
    wanted = {row.pk for row in rows}
    allowed = set(
        choices(user, model._default_manager.filter(pk__in=wanted)).values_list("pk", flat=True)
    )
    if wanted - allowed:
        raise ValidationError({field: INVALID_CHOICE})


# Form fields ---------------------------------------------------------------------------------


# The user a form is being built for: its fields are bound while Django copies them, before a
# model form narrows them by ``limit_choices_to``.
_building_for: ContextVar = ContextVar("building_form_for", default=None)


class ScopedChoiceMixin:
    """A model choice field whose rows are always ``choices(self.user, …)`` of what the form
    sets; a field whose form never bound it to a user offers nothing."""

    user = None

    def _get_queryset(self):
        if self._queryset is None:
            return None
        return choices(self.user, self._queryset)

    queryset = property(_get_queryset, forms.ModelChoiceField._set_queryset)

    def __deepcopy__(self, memo):
        result = super(forms.ChoiceField, self).__deepcopy__(memo)
        result.user = _building_for.get()
        if self._queryset is not None:
            result.queryset = self._queryset.all()
        return result


class ScopedModelChoiceField(ScopedChoiceMixin, forms.ModelChoiceField):
    pass


class ScopedModelMultipleChoiceField(ScopedChoiceMixin, forms.ModelMultipleChoiceField):
    pass


def scoped_formfield(db_field, **kwargs):
    """``formfield_callback`` of model forms: relations become scoped choice fields."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ScopedModelMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", ScopedModelChoiceField)
    return db_field.formfield(**kwargs)


class ScopedFormMixin:
    """Binds every relation field of the form to the user filling it in (``user=``)."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        token = _building_for.set(user)
        try:
            super().__init__(*args, **kwargs)
        finally:
            _building_for.reset(token)
        for field in self.fields.values():
            if isinstance(field, ScopedChoiceMixin):
                field.user = user


class ScopedForm(ScopedFormMixin, forms.Form):
    pass


class ScopedModelFormMetaclass(forms.models.ModelFormMetaclass):
    """Generated relation fields are scoped, whatever ``Meta`` a model form declares."""

    def __new__(mcs, name, bases, attrs):
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(scoped_formfield)
        return super().__new__(mcs, name, bases, attrs)


class ScopedModelForm(ScopedFormMixin, forms.ModelForm, metaclass=ScopedModelFormMetaclass):
    pass


# API fields ----------------------------------------------------------------------------------


class ScopedRelatedMixin:
    """A writable API relation drawing its rows from ``choices(request.user, …)``."""

    def get_queryset(self):
        request = self.context.get("request")
        return choices(getattr(request, "user", None), super().get_queryset())


class ScopedPrimaryKeyRelatedField(ScopedRelatedMixin, serializers.PrimaryKeyRelatedField):
    pass


class ScopedSlugRelatedField(ScopedRelatedMixin, serializers.SlugRelatedField):
    pass


class ScopedModelSerializer(serializers.ModelSerializer):
    """Model serializers whose generated relation fields are scoped."""

    serializer_related_field = ScopedPrimaryKeyRelatedField


def is_scoped(field) -> bool:
    """Whether a form or API relation field draws its rows through ``choices``."""
    if isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
    return isinstance(field, ScopedChoiceMixin | ScopedRelatedMixin)
