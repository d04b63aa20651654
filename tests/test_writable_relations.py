"""Every writable relation of every form and API serializer, as every persona.

An id that arrives in a form or an API body names a row that belongs to someone. Each relation
field must draw its rows through ``core.relations.choices`` (the one helper over ``restrict``),
and refuse a row out of the user's scope exactly as it refuses an id that does not exist: the
same message, so that cycling ids tells nothing. The forms and serializers are found by walking
the project's modules, so a new one with an unscoped relation fails here.
"""

import importlib
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from rest_framework import serializers

from demonstrations.models import Batch, DemonstrationApplication
from demonstrations.workflow import State, Track
from tsprotect.core import relations
from tsprotect.regions.models import HostOrganisation

from .conftest import make_user
from .permission_matrix import PERSONAS

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR).resolve()
SKIPPED_PACKAGES = ("migrations", "management", "tests", "templatetags")


def _project_modules():
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if ROOT not in path.parents or ".venv" in path.parts:
            continue
        yield importlib.import_module(config.name)
        for info in pkgutil.walk_packages([str(path)], prefix=f"{config.name}."):
            if not any(part in SKIPPED_PACKAGES for part in info.name.split(".")):
                yield importlib.import_module(info.name)


PROJECT_MODULES = {module.__name__ for module in _project_modules()}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_classes(base):
    found = {c for c in _subclasses(base) if c.__module__ in PROJECT_MODULES}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


FORMS = project_classes(forms.BaseForm)
SERIALIZERS = [
    s
    for s in project_classes(serializers.BaseSerializer)
    # Bases such as ScopedModelSerializer have no model of their own.
    if not (issubclass(s, serializers.ModelSerializer) and not hasattr(s, "Meta"))
]


def form_relations(form_class):
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
    }


def serializer_relations(serializer, prefix=""):
    """The writable relation fields of a serializer and of the serializers nested in it."""
    found = {}
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.BaseSerializer):
            found.update(serializer_relations(field, f"{prefix}{name}."))
        elif isinstance(field, serializers.RelatedField | serializers.ManyRelatedField):
            found[f"{prefix}{name}"] = field
    return found


def request_as(user):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return request


def build_serializer(serializer_class, user):
    return serializer_class(context={"request": request_as(user)})


# How to build each form that names a relation, for a user. A new such form needs its line.
FORM_BUILDERS = {
    "demonstrations.forms.ApplicationForm": lambda cls, user: [
        cls(user=user, track=track) for track in Track.values
    ],
    "complaints.forms.PublicReportForm": lambda cls, user: [cls()],
    "complaints.forms.TransferForm": lambda cls, user: [cls(user=user)],
}


# The forms a visitor fills in without an account; the others are behind the login.
PUBLIC_FORMS = {"complaints.forms.PublicReportForm"}


def build_forms(form_class, user):
    if user is None:
        if name_of(form_class) not in PUBLIC_FORMS:
            return []
        user = request_as(None).user
    builder = FORM_BUILDERS.get(f"{form_class.__module__}.{form_class.__qualname__}")
    if builder is not None:
        return builder(form_class, user)
    return [form_class(user=user)]


RELATION_FORMS = [f for f in FORMS if form_relations(f)]
RELATION_SERIALIZERS = [s for s in SERIALIZERS if serializer_relations(build_serializer(s, None))]


def name_of(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def test_the_walk_finds_the_forms_and_serializers_that_name_relations():
    # If the discovery broke, every test below would pass on nothing.
    assert "demonstrations.forms.ApplicationForm" in map(name_of, RELATION_FORMS)
    assert "complaints.forms.StepForm" in map(name_of, RELATION_FORMS)
    assert "demonstrations.api.ApplicationSerializer" in map(name_of, RELATION_SERIALIZERS)
    assert "assessments.api.ChecklistSerializer" in map(name_of, RELATION_SERIALIZERS)
    assert "assessments.api.AnswersBody" in map(name_of, RELATION_SERIALIZERS)


@pytest.mark.parametrize("form_class", RELATION_FORMS, ids=name_of)
def test_every_relation_of_a_form_draws_its_rows_through_the_scoping_helper(form_class):
    assert issubclass(form_class, relations.ScopedFormMixin), (
        f"{name_of(form_class)} names relations: make it a ScopedForm or ScopedModelForm"
    )
    for name, field in form_relations(form_class).items():
        assert relations.is_scoped(field), f"{name_of(form_class)}.{name} is not scoped"
        if field._queryset is not None:
            relations.kind_of(field._queryset.model)  # raises for an undeclared model


@pytest.mark.parametrize("serializer_class", RELATION_SERIALIZERS, ids=name_of)
def test_every_relation_of_a_serializer_draws_its_rows_through_the_scoping_helper(
    serializer_class,
):
    serializer = build_serializer(serializer_class, None)
    for name, field in serializer_relations(serializer).items():
        assert relations.is_scoped(field), f"{name_of(serializer_class)}.{name} is not scoped"


# Behaviour, as each persona --------------------------------------------------------------------


@pytest.fixture
def rows_everywhere(personas, changsha_officer, yueyang_officer, province):
    """Rows of every related model in 长沙市 and in 岳阳市, so that each persona has rows out of
    its scope to try."""
    hosts = {}
    for code, county in (("430100", "430104"), ("430600", "430603")):
        hosts[code] = HostOrganisation.objects.create(
            name=f"{code}产业园",
            kind=HostOrganisation.Kind.INDUSTRIAL_PARK,
            prefecture_id=code,
            county_id=county,
        )
    batch = Batch.objects.filter(track=Track.SITE).first() or Batch.objects.create(
        track=Track.SITE,
        year=2026,
        name="第一批",
        opens_on="2026-01-01",
        submission_deadline="2099-12-31",
        recommendation_deadline="2099-12-31",
    )
    for code, officer in (("430100", changsha_officer), ("430600", yueyang_officer)):
        DemonstrationApplication.objects.create(
            track=Track.SITE,
            batch=batch,
            name=f"{code}示范点",
            prefecture_id=code,
            host_organisation=hosts[code],
            state=State.DESIGNATED,
            created_by=officer,
        )
    make_user("expert2", "expert")
    return personas


def _messages_of(call, value):
    try:
        call(value)
    except ValidationError as error:
        messages = error.messages
    except serializers.ValidationError as error:
        messages = [str(m) for m in _flatten(error.detail)]
    else:
        return None
    return [m.replace(str(value), "<id>") for m in messages]


def _flatten(detail):
    if isinstance(detail, dict):
        for value in detail.values():
            yield from _flatten(value)
    elif isinstance(detail, list):
        for value in detail:
            yield from _flatten(value)
    else:
        yield detail


def _probe(user, raw, effective, many, clean, value_of, missing):
    """(out-of-scope answers, missing answers, in-scope answer) for one field, or None when
    nothing of the model lies outside the user's scope. What the user may name is computed
    here by the rule, not asked of the field."""
    model = raw.model
    offered = relations.choices(user, raw)
    offered_pks = set(offered.values_list("pk", flat=True))
    outside = raw.exclude(pk__in=offered_pks).first()
    outside = outside or model._default_manager.exclude(pk__in=offered_pks).first()
    if outside is None:
        return None

    def wrap(value):
        return [value] if many else value

    refused = _messages_of(lambda v: clean(wrap(v)), value_of(outside))
    absent = _messages_of(lambda v: clean(wrap(v)), missing)
    inside = effective.filter(pk__in=offered_pks).first()
    accepted = inside is None or _messages_of(lambda v: clean(wrap(v)), value_of(inside)) is None
    return refused, absent, accepted


def _missing_pk(model):
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 100000 if isinstance(last, int | None) else f"{last}X"


def _form_cases(user):
    for form_class in RELATION_FORMS:
        for form in build_forms(form_class, user):
            for name, field in form.fields.items():
                if not isinstance(field, forms.ModelChoiceField):
                    continue
                model = field._queryset.model
                many = isinstance(field, forms.ModelMultipleChoiceField)
                key = field.to_field_name or "pk"
                yield (
                    f"{name_of(form_class)}.{name}",
                    field._queryset,
                    field.queryset,
                    many,
                    field.clean,
                    lambda row, key=key: str(getattr(row, key)),
                    str(_missing_pk(model)),
                )


def _serializer_cases(user):
    if user is None:
        return  # the API writes nothing for anonymous callers
    for serializer_class in RELATION_SERIALIZERS:
        serializer = build_serializer(serializer_class, user)
        for name, field in serializer_relations(serializer).items():
            many = isinstance(field, serializers.ManyRelatedField)
            relation = field.child_relation if many else field
            raw = serializers.RelatedField.get_queryset(relation)
            slug = getattr(relation, "slug_field", None)
            model = raw.model
            yield (
                f"{name_of(serializer_class)}.{name}",
                raw,
                relation.get_queryset(),
                many,
                field.run_validation,
                (lambda row, slug=slug: getattr(row, slug)) if slug else (lambda row: row.pk),
                "999999" if slug else _missing_pk(model),
            )


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_out_of_scope_row_is_refused_exactly_like_a_missing_one(rows_everywhere, persona):
    user = rows_everywhere[persona]
    for case in [*_form_cases(user), *_serializer_cases(user)]:
        label, raw, effective, many, clean, value_of, missing = case
        if relations.kind_of(raw.model) == "reference":
            continue  # everyone may name it: nothing is out of scope
        probe = _probe(user, raw, effective, many, clean, value_of, missing)
        if probe is None:
            continue
        refused, absent, accepted = probe
        assert refused is not None, f"{persona}: {label} accepted a row out of scope"
        assert refused == absent, f"{persona}: {label} tells out of scope from missing"
        assert accepted, f"{persona}: {label} refused a row it offers"


def test_each_scoped_relation_is_tried_with_a_row_out_of_scope_by_some_persona(rows_everywhere):
    tried = set()
    expected = set()
    for persona in PERSONAS:
        user = rows_everywhere[persona]
        for label, raw, effective, many, clean, value_of, missing in [
            *_form_cases(user),
            *_serializer_cases(user),
        ]:
            if relations.kind_of(raw.model) == "reference":
                continue
            expected.add(label)
            if _probe(user, raw, effective, many, clean, value_of, missing) is not None:
                tried.add(label)
    assert expected, "no scoped relation found"
    assert expected == tried, f"never tried out of scope: {sorted(expected - tried)}"


# The holes as they were found ------------------------------------------------------------------


def _site_batch():
    from django.utils import timezone

    today = timezone.localdate()
    return Batch.objects.create(
        track=Track.SITE,
        year=today.year,
        name="示范点第一批",
        opens_on=today,
        submission_deadline=today.replace(year=today.year + 1),
        recommendation_deadline=today.replace(year=today.year + 1),
    )


def _api_post(user, name, data):
    from django.urls import reverse

    from .conftest import client_for

    return client_for(user).post(reverse(name), data, content_type="application/json")


def _without_ids(body, *ids):
    text = str(body)
    for value in ids:
        text = text.replace(str(value), "<id>")
    return text


def test_a_changsha_officer_cannot_file_a_site_with_yueyang_members_or_host(
    rows_everywhere, changsha_officer, yueyang_enterprise
):
    batch = _site_batch()
    changsha_park = HostOrganisation.objects.get(prefecture_id="430100")
    yueyang_park = HostOrganisation.objects.get(prefecture_id="430600")
    yueyang_site = DemonstrationApplication.objects.get(prefecture_id="430600")
    missing = _missing_pk(DemonstrationApplication)
    body = {"track": "site", "batch": batch.pk, "name": "麓谷示范点", "host_organisation": None}
    before = DemonstrationApplication.objects.count()

    for field, outside in (
        ("member_enterprises", [yueyang_enterprise.pk]),
        ("host_organisation", yueyang_park.pk),
    ):
        data = {**body, "host_organisation": changsha_park.pk, field: outside}
        refused = _api_post(changsha_officer, "api:application-list", data)
        absent_value = [missing] if isinstance(outside, list) else missing
        absent = _api_post(changsha_officer, "api:application-list", {**data, field: absent_value})
        assert refused.status_code == absent.status_code == 400
        assert _without_ids(refused.json(), yueyang_enterprise.pk, yueyang_park.pk) == (
            _without_ids(absent.json(), missing)
        )
        assert "岳阳" not in refused.content.decode()

    base = {"track": "base", "batch": batch.pk, "name": "基地", "sites": [yueyang_site.pk]}
    assert _api_post(changsha_officer, "api:application-list", base).status_code == 400
    assert DemonstrationApplication.objects.count() == before


def test_the_checklist_api_answers_alike_for_an_out_of_scope_and_a_missing_enterprise(
    changsha_officer, yueyang_enterprise
):
    missing = _missing_pk(type(yueyang_enterprise))
    refused = _api_post(
        changsha_officer, "api:checklist-list", {"enterprise": yueyang_enterprise.pk}
    )
    absent = _api_post(changsha_officer, "api:checklist-list", {"enterprise": missing})
    assert refused.status_code == absent.status_code == 400
    assert _without_ids(refused.json(), yueyang_enterprise.pk) == _without_ids(
        absent.json(), missing
    )


def test_the_services_refuse_out_of_scope_relations_whoever_calls_them(
    rows_everywhere, changsha_officer, yueyang_enterprise
):
    from demonstrations import services

    changsha_park = HostOrganisation.objects.get(prefecture_id="430100")
    application = DemonstrationApplication(
        track=Track.SITE, batch=_site_batch(), name="示范点", host_organisation=changsha_park
    )
    with pytest.raises(ValidationError) as refused:
        services.create_application(application, changsha_officer, members=[yueyang_enterprise])
    assert "member_enterprises" in refused.value.message_dict
    assert not DemonstrationApplication.objects.filter(name="示范点").exists()


def test_a_base_counts_only_the_designated_sites_of_its_own_prefecture(
    rows_everywhere, changsha_officer
):
    from demonstrations import services

    changsha_site = DemonstrationApplication.objects.get(prefecture_id="430100")
    yueyang_site = DemonstrationApplication.objects.get(prefecture_id="430600")
    base = DemonstrationApplication.objects.create(
        track=Track.BASE,
        batch=_site_batch(),
        name="长沙示范基地",
        prefecture_id="430100",
        created_by=changsha_officer,
    )
    # Written behind the services' back, as an old row or a script might have.
    base.sites.set([changsha_site, yueyang_site])
    with pytest.raises(ValidationError) as refused:
        services._check_base(base, changsha_officer)
    assert "1" in refused.value.messages[0]
