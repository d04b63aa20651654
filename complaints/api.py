"""Complaints and reports through the JSON API: the queue, intake from other systems (the 12315
platform …) and every step of ``workflow.TRANSITIONS`` as its own action, with the scoping and
the rules of the pages (``services.py``)."""

from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.fields import SkipField
from rest_framework.response import Response

from enterprises.models import Enterprise
from tsprotect.core import scoping
from tsprotect.core.api import ScopedViewSet, service_refusals
from tsprotect.core.relations import ScopedSlugRelatedField
from tsprotect.core.validators import normalise_uscc
from tsprotect.regions.models import County, Prefecture

from . import services
from .filters import ComplaintFilter
from .models import (
    COMPLAINT_PERMISSIONS,
    ClockExtension,
    ClockPause,
    Complaint,
    ComplaintEvent,
    CreditPush,
    Recusal,
    StatutoryLimit,
)
from .workflow import (
    AUDIENCES,
    COMPLAINANT_STATUS,
    TRANSITIONS,
    TRANSITIONS_BY_ACTION,
    Channel,
    Conduct,
    FeedbackMethod,
    Kind,
    PartyKind,
    PoliceDecision,
    Remedy,
    SecretKind,
    State,
)


def _complainant_states():
    """What the complainant is told of each state, as a code: the first state sharing its label
    in ``COMPLAINANT_STATUS``, so that the internal steps (case filed, transfer proposed …) read
    as ``accepted``. Labels are compared by their msgid, whatever the language."""
    with translation.override(None):
        labels = {state: str(COMPLAINANT_STATUS[state]) for state in State}
    return {state: next(s for s in State if labels[s] == labels[state]) for state in State}


COMPLAINANT_STATE = _complainant_states()
COMPLAINANT_STATES = sorted(set(COMPLAINANT_STATE.values()), key=list(State).index)


def audience_field(*values):
    """The view of the complaint a representation gives (the schema's discriminator)."""

    @extend_schema_field({"type": "string", "enum": list(values)})
    class AudienceField(serializers.ReadOnlyField):
        pass

    return AudienceField()


class HandlerOnlyField(serializers.Field):
    """The complainant's identity: present only for those handling the complaint
    (``services.audience`` is ``handler``), left out of every other view — hence optional in
    the schema."""

    def __init__(self, value, **kwargs):
        self.value_of = value
        super().__init__(required=False, **kwargs)

    def get_attribute(self, instance):
        if getattr(instance, "audience", None) != "handler":
            raise SkipField
        return self.value_of(instance)

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.STR)
class HandlerOnlyText(HandlerOnlyField):
    pass


@extend_schema_field(OpenApiTypes.BOOL)
class HandlerOnlyFlag(HandlerOnlyField):
    pass


# ---------------------------------------------------------------------------------------------
# Representations: one per audience of ``services.audience``


class PenaltyDecisionSerializer(serializers.ModelSerializer):
    """The penalty decision of a case, as recorded for the credit platform; a natural person's
    ID number masked (it is whole only on the decision itself)."""

    party_name = serializers.CharField(source="respondent_name", read_only=True)
    credit_code = serializers.CharField(source="respondent_credit_code", read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)

    class Meta:
        model = CreditPush
        fields = [
            "party_kind",
            "party_name",
            "credit_code",
            "id_number",
            "decision_number",
            "decided_on",
            "facts",
            "basis",
            "content",
            "confiscated",
            "fine",
            "published_on",
        ]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    """A complaint as the bureau handling it and provincial staff (``handler``), a consulted
    expert (``expert``) or a prefecture that handed it on (``trace``) see it: the facts, the
    deadlines and the outcome; who complained only for the ``handler``."""

    # Its cuts below answer their own audience: each representation matches one branch only.
    audience = audience_field("handler")
    status = serializers.ChoiceField(source="state", choices=State.choices, read_only=True)
    status_display = serializers.CharField(source="get_state_display", read_only=True)
    next_limit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    transfer_candidate = serializers.BooleanField(source="is_transfer_candidate", read_only=True)
    prefecture = serializers.CharField(source="prefecture_id", read_only=True)
    county = serializers.CharField(source="county_id", read_only=True, allow_null=True)
    respondent_name = serializers.SerializerMethodField()
    conduct = serializers.ListField(
        child=serializers.ChoiceField(choices=Conduct.choices), read_only=True
    )
    complainant_name = HandlerOnlyText(
        lambda c: (
            c.complainant_enterprise.name if c.complainant_enterprise_id else c.complainant_name
        )
    )
    complainant_contact = HandlerOnlyText(lambda c: c.complainant_contact)
    complainant_credit_code = HandlerOnlyText(
        lambda c: c.complainant_enterprise.uscc if c.complainant_enterprise_id else ""
    )
    anonymous = HandlerOnlyFlag(lambda c: c.anonymous)
    penalty_decision = PenaltyDecisionSerializer(
        source="credit_push", read_only=True, allow_null=True
    )
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = list(AUDIENCES["handler"].fields)
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        annotated = getattr(obj, "overdue", None)
        return bool(annotated) if annotated is not None else obj.is_overdue()

    def get_respondent_name(self, obj) -> str:
        if obj.respondent_enterprise_id:
            return obj.respondent_enterprise.name
        return obj.respondent_name

    def get_available_actions(self, obj) -> list[str]:
        """The steps the caller may take now (only those handling the complaint take any)."""
        if obj.audience != "handler":
            return []
        return [t.action for t in TRANSITIONS if t.allows(obj)]


class ComplainantComplaintSerializer(serializers.ModelSerializer):
    """A complaint as its complainant follows it: where it stands and the feedback, nothing
    internal."""

    audience = audience_field("complainant")
    status = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_complainant_status_display", read_only=True)
    feedback = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = list(AUDIENCES["complainant"].fields)
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": [str(s) for s in COMPLAINANT_STATES]})
    def get_status(self, obj):
        return str(COMPLAINANT_STATE[obj.state])

    def get_feedback(self, obj) -> str:
        return obj.feedback if obj.feedback_at else ""


def _facts_serializer(name, doc):
    """``ComplaintSerializer`` cut to the fields ``AUDIENCES[name]`` is shown."""
    fields = list(AUDIENCES[name].fields)
    meta = type("Meta", (ComplaintSerializer.Meta,), {"fields": fields, "read_only_fields": fields})
    return type(
        f"{name.title()}ComplaintSerializer",
        (ComplaintSerializer,),
        {"Meta": meta, "audience": audience_field(name), "__doc__": doc},
    )


SERIALIZERS = {
    "handler": ComplaintSerializer,
    "expert": _facts_serializer(
        "expert", "A complaint as a consulted expert sees it: the facts, not who complained."
    ),
    "trace": _facts_serializer(
        "trace", "A complaint as the bureau that handed it on keeps it: where it stands."
    ),
    "complainant": ComplainantComplaintSerializer,
}


def complaint_views(many=False):
    return PolymorphicProxySerializer(
        component_name="ComplaintView",
        serializers=SERIALIZERS,
        resource_type_field_name="audience",
        many=many,
    )


class EventSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True)
    # Plain codes of ``status`` (blank before intake).
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)
    # Optional in the schema: ``EventFactsSerializer`` answers the same steps without it, and
    # the history's schema can then tell a step from a step of the complainant's timeline.
    note = serializers.CharField(required=False)

    class Meta:
        model = ComplaintEvent
        fields = ["id", "action", "label", "from_state", "to_state", "actor", "at", "note"]
        read_only_fields = fields


class EventFactsSerializer(EventSerializer):
    """A step of the history without its note (a consulted expert, a trace)."""

    class Meta(EventSerializer.Meta):
        fields = ["id", "action", "label", "from_state", "to_state", "actor", "at"]
        read_only_fields = fields


class PublicEventSerializer(serializers.ModelSerializer):
    """A step of the complainant's timeline: the note only where the table makes it public."""

    label = serializers.CharField(source="get_action_display", read_only=True)
    status_display = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = ComplaintEvent
        fields = ["action", "label", "status_display", "at", "note"]
        read_only_fields = fields

    def get_status_display(self, obj) -> str:
        return str(COMPLAINANT_STATUS.get(obj.to_state, ""))

    def get_note(self, obj) -> str:
        return obj.note if obj.public_note else ""


# By the notes an audience reads (``AUDIENCES[...].event_notes``).
EVENT_SERIALIZERS = {
    "all": EventSerializer,
    "public": PublicEventSerializer,
    "": EventFactsSerializer,
}


# Named in the schema (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
PAUSE_REASONS = StatutoryLimit.Pause.choices
TIME_UNITS = StatutoryLimit.Unit.choices


class ClockPauseSerializer(serializers.ModelSerializer):
    """A period the clocks listing its reason do not count (行政处罚程序规定 arts. 18, 64)."""

    reason = serializers.ChoiceField(choices=PAUSE_REASONS)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = ClockPause
        fields = ["id", "reason", "reason_display", "started_on", "ended_on", "note", "by"]
        read_only_fields = ["id", "reason_display", "ended_on", "by"]


class ClockPauseEndBody(serializers.Serializer):
    ended_on = serializers.DateField(help_text=gettext_lazy("The last day of the pause."))


class ClockExtensionSerializer(serializers.ModelSerializer):
    """An extension of a time limit: the head's approval, or a collective decision of the
    heads with its stated period; who, when, the document, why."""

    limit = serializers.CharField(source="clock.limit.code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit = serializers.ChoiceField(source="clock.limit.unit", choices=TIME_UNITS, read_only=True)
    document = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    due_on = serializers.DateField(
        source="clock.due_on",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The clock's due day now (none while a pause stops it)."),
    )

    class Meta:
        model = ClockExtension
        fields = [
            "id",
            "limit",
            "kind",
            "kind_display",
            "period",
            "unit",
            "approved_by",
            "decided_on",
            "document_number",
            "document",
            "reason",
            "recorded_by",
            "recorded_at",
            "due_on",
        ]
        read_only_fields = fields


class ClockExtensionBody(serializers.Serializer):
    limit = serializers.CharField(
        max_length=40,
        help_text=gettext_lazy("Code of the running time limit, e.g. case_decision."),
    )
    kind = serializers.ChoiceField(
        choices=ClockExtension.Kind.choices, required=False, default=ClockExtension.Kind.APPROVAL
    )
    period = serializers.IntegerField(
        min_value=1,
        max_value=32767,
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "In the limit's unit: required for a collective decision; the head's approval "
            "extends by the limit's own extension."
        ),
    )
    approved_by = serializers.CharField(
        max_length=200, help_text=gettext_lazy("Who approved, or the heads who decided.")
    )
    decided_on = serializers.DateField()
    document_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField()


class ClockSerializer(serializers.Serializer):
    limit = serializers.CharField(source="limit.code")
    label = serializers.CharField(source="limit.label")
    legal_basis = serializers.CharField(source="limit.legal_basis")
    started_at = serializers.DateTimeField()
    due_on = serializers.DateField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True)
    extended = serializers.BooleanField()
    provisional = serializers.BooleanField(
        help_text=gettext_lazy(
            "Counted from the sending while the police's acceptance receipt is awaited: the "
            "due day will move once it is recorded."
        )
    )
    extensions = ClockExtensionSerializer(many=True)
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


# ---------------------------------------------------------------------------------------------
# Intake


def _verbose(name):
    return Complaint._meta.get_field(name).verbose_name


class IntakeSerializer(serializers.Serializer):
    """A complaint sent by another system or typed in by an officer; ``services.create_complaint``
    applies the rules of intake (channel, date, complainant, respondent, placement)."""

    kind = serializers.ChoiceField(choices=Kind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_on = serializers.DateField()
    description = serializers.CharField()
    complainant_credit_code = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("The complainant's credit code, if it is in your directory."),
    )
    complainant_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    complainant_contact = serializers.CharField(required=False, allow_blank=True, max_length=200)
    anonymous = serializers.BooleanField(required=False, default=False)
    respondent_credit_code = serializers.CharField(required=False, allow_blank=True)
    respondent_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    respondent_individuals = serializers.CharField(required=False, allow_blank=True)
    secret_kind = serializers.ChoiceField(choices=SecretKind.choices)
    conduct = serializers.ListField(
        child=serializers.ChoiceField(choices=Conduct.choices), required=False, default=list
    )
    estimated_loss = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    prefecture = ScopedSlugRelatedField(
        slug_field="code",
        queryset=Prefecture.objects.all(),
        required=False,
        help_text=gettext_lazy("Division code; may be left out by an officer of one prefecture."),
    )
    county = ScopedSlugRelatedField(
        slug_field="code", queryset=County.objects.all(), required=False, allow_null=True
    )

    def validate_complainant_credit_code(self, value):
        return normalise_uscc(value)

    def validate_respondent_credit_code(self, value):
        return normalise_uscc(value)

    def validate(self, attrs):
        user = self.context["request"].user
        directory = Enterprise.objects.restrict(user, "view")
        errors = {}
        complainant = None
        if attrs.get("complainant_credit_code"):
            complainant = directory.filter(uscc=attrs["complainant_credit_code"]).first()
            if complainant is None:
                errors["complainant_credit_code"] = _(
                    "No enterprise with this credit code in your directory."
                )
        prefecture = attrs.get("prefecture")
        if prefecture is None:
            bureaus = list(scoping.prefectures_for(user, Complaint, "add")[:2])
            if len(bureaus) == 1:
                prefecture = bureaus[0]
            else:
                errors["prefecture"] = _("Please give the prefecture's division code.")
        if errors:
            raise serializers.ValidationError(errors)
        county = attrs.get("county")
        if county is None and scoping.county_limit(user):
            county = County.objects.get(pk=scoping.county_limit(user))
        respondent_code = attrs.get("respondent_credit_code", "")
        # A respondent found in the directory shows the complaint on its record.
        respondent = directory.filter(uscc=respondent_code).first() if respondent_code else None
        attrs["complaint"] = Complaint(
            kind=attrs["kind"],
            channel=attrs["channel"],
            received_on=attrs["received_on"],
            description=attrs["description"].strip(),
            prefecture=prefecture,
            county=county,
            complainant_enterprise=complainant,
            complainant_name=attrs.get("complainant_name", "").strip(),
            complainant_contact=attrs.get("complainant_contact", "").strip(),
            anonymous=attrs["anonymous"],
            respondent_enterprise=respondent,
            respondent_name=attrs.get("respondent_name", "").strip(),
            respondent_credit_code=respondent_code,
            respondent_individuals=attrs.get("respondent_individuals", "").strip(),
            secret_kind=attrs["secret_kind"],
            conduct=list(dict.fromkeys(attrs["conduct"])),
            estimated_loss=attrs.get("estimated_loss"),
        )
        return attrs


# ---------------------------------------------------------------------------------------------
# Transitions: one body per action of the table, with the data that action takes

DATA_FIELDS = {
    "case_number": lambda required: serializers.CharField(
        required=required, allow_blank=True, max_length=60, help_text=_verbose("case_number")
    ),
    "on": lambda required: serializers.DateField(
        required=required, help_text=gettext_lazy("Date of the case filing or decision.")
    ),
    "receiving_unit": lambda required: serializers.CharField(
        required=required, allow_blank=True, max_length=200, help_text=_verbose("transfer_unit")
    ),
    "approved_by": lambda required: serializers.CharField(
        required=required,
        allow_blank=True,
        max_length=100,
        help_text=_verbose("transfer_approved_by"),
    ),
    "remedy": lambda required: serializers.ChoiceField(
        choices=Remedy.choices, required=required, help_text=_verbose("remedy")
    ),
    "penalty": lambda required: serializers.BooleanField(
        required=False, default=False, help_text=_verbose("penalty")
    ),
    "decision_number": lambda required: serializers.CharField(
        required=required, allow_blank=True, max_length=60, help_text=_verbose("decision_number")
    ),
    "party_kind": lambda required: serializers.ChoiceField(
        choices=PartyKind.choices,
        required=required,
        help_text=gettext_lazy(
            "Whom the penalty is against; the respondent company when left out."
        ),
    ),
    "party_name": lambda required: serializers.CharField(
        required=required,
        allow_blank=True,
        max_length=200,
        help_text=gettext_lazy("Name of the party penalised."),
    ),
    "party_credit_code": lambda required: serializers.CharField(
        required=required,
        allow_blank=True,
        max_length=18,
        help_text=gettext_lazy("Credit code of an organisation or individual business."),
    ),
    "party_id_number": lambda required: serializers.CharField(
        required=required,
        allow_blank=True,
        max_length=18,
        write_only=True,
        help_text=gettext_lazy(
            "ID number of a natural person; never returned, shown masked on the decision record."
        ),
    ),
    "facts": lambda required: serializers.CharField(
        required=required, allow_blank=True, help_text=gettext_lazy("Facts of the violation.")
    ),
    "content": lambda required: serializers.CharField(
        required=required, allow_blank=True, help_text=gettext_lazy("Penalty imposed.")
    ),
    "confiscated": lambda required: serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=required,
        allow_null=True,
        help_text=_verbose("confiscated"),
    ),
    "fine": lambda required: serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=required,
        allow_null=True,
        help_text=_verbose("fine"),
    ),
    "method": lambda required: serializers.ChoiceField(
        choices=FeedbackMethod.choices, required=required, help_text=_verbose("feedback_method")
    ),
    "police_decision": lambda required: serializers.ChoiceField(
        choices=PoliceDecision.choices,
        required=required,
        help_text=gettext_lazy("The police's decision: case filed, or filing refused."),
    ),
    "document_number": lambda required: serializers.CharField(
        required=required,
        allow_blank=True,
        max_length=60,
        help_text=gettext_lazy("The number of the notice or request, as written on the document."),
    ),
    "procuratorate": lambda required: serializers.CharField(
        required=required, allow_blank=True, max_length=200, help_text=_verbose("procuratorate")
    ),
    "receipt_number": lambda required: serializers.CharField(
        required=required,
        allow_blank=True,
        max_length=60,
        help_text=_verbose("police_receipt_number"),
    ),
}


def _body_serializer(rule):
    note = (
        serializers.CharField(allow_blank=True)
        if rule.needs_note
        else serializers.CharField(required=False, allow_blank=True, default="")
    )
    fields = {"note": note}
    fields.update({name: DATA_FIELDS[name](True) for name in rule.requires})
    fields.update({name: DATA_FIELDS[name](False) for name in rule.optional})
    name = "".join(part.title() for part in rule.action.split("_")) + "Body"
    return type(name, (serializers.Serializer,), fields)


BODIES = {rule.action: _body_serializer(rule) for rule in TRANSITIONS}

ERRORS = {
    400: OpenApiResponse(description="Refused: the messages by field, or under `detail`."),
    403: OpenApiResponse(
        description="In your view but not yours to handle (the complainant, a consulted "
        "expert, a prefecture that handed it on)."
    ),
    404: OpenApiResponse(description="No such complaint in your scope."),
}


def _transition_action(rule):
    def handler(self, request, pk=None):
        return self.take(request, rule.action)

    handler.__name__ = handler.__qualname__ = rule.action
    documented = extend_schema(
        summary=rule.label,
        description=(
            f"Allowed from: {', '.join(rule.sources)}. "
            + (f"Leads to: {rule.target}." if rule.target else "The status stays.")
        ),
        request=BODIES[rule.action],
        responses={200: ComplaintSerializer, **ERRORS},
    )
    return documented(action(detail=True, methods=["post"])(handler))


# ---------------------------------------------------------------------------------------------
# The viewset


class ConsultationRecusalBodySerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ConsultationRecusalSerializer(serializers.ModelSerializer):
    expert = serializers.CharField(source="expert.username", read_only=True)

    class Meta:
        model = Recusal
        fields = ["id", "complaint", "expert", "reason", "declared_at"]
        read_only_fields = fields


class ComplaintApiFilter(ComplaintFilter):
    """The queue's filters, with the API's names: ``status`` for the state, ``search``."""

    state = None
    q = None
    status = filters.ChoiceFilter(field_name="state", choices=State.choices)
    search = filters.CharFilter(
        method="filter_search", label=gettext_lazy("Reference, case number, party or description")
    )


# Found in the view scope; whether the caller may act is then the services' answer.
VIEW_ACTIONS = (
    "events",
    "clocks",
    "pauses",
    "end_pause",
    "extensions",
    "recusal",
    *TRANSITIONS_BY_ACTION,
)


class ComplaintViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Complaints and reports under the same scoping as the pages.

    Each complaint comes in the view of its caller (``audience``): ``handler`` (the bureau
    handling it and provincial staff: everything, the complainant included), ``expert`` /
    ``trace`` (a consulted expert, a prefecture that handed it on: the facts, not who
    complained) or ``complainant`` (its status and the feedback only). Every step of the
    lifecycle is a ``POST`` to ``/{id}/{action}/``.
    """

    queryset = Complaint.objects.all()
    related = (
        "prefecture",
        "county",
        "next_limit",
        "complainant_enterprise",
        "respondent_enterprise",
        "credit_push",
    )
    filterset_class = ComplaintApiFilter
    ordering_fields = ["received_on", "next_deadline", "reference", "updated_at"]
    ordering = ["-received_on", "-pk"]

    def get_serializer_class(self):
        return IntakeSerializer if self.action == "create" else ComplaintSerializer

    def get_queryset(self):
        if self.action in VIEW_ACTIONS:
            queryset = Complaint.objects.restrict(self.request.user, "view")
            queryset = queryset.select_related(*self.related)
        else:
            queryset = super().get_queryset()
        return services.with_overdue_flag(queryset)

    def represent(self, complaint, audience):
        complaint.audience = audience
        serializer = SERIALIZERS[audience](complaint, context=self.get_serializer_context())
        return serializer.data

    @extend_schema(responses=complaint_views(many=True))
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        queryset = services.with_audience(queryset, request.user)
        page = self.paginate_queryset(queryset)
        complaints = list(page if page is not None else queryset)
        data = [self.represent(c, c.audience) for c in complaints]
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(responses={200: complaint_views(), 404: ERRORS[404]})
    def retrieve(self, request, *args, **kwargs):
        complaint = self.get_object()
        return Response(self.represent(complaint, services.audience(request.user, complaint)))

    @extend_schema(
        request=IntakeSerializer,
        responses={
            201: ComplaintSerializer,
            400: ERRORS[400],
            403: OpenApiResponse(
                description="Only officers register complaints here; an enterprise files its "
                "own through the portal's complaint form."
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        if not scoping.prefecture_codes(request.user, COMPLAINT_PERMISSIONS["add"]):
            raise PermissionDenied(
                _("An enterprise files its complaints through the complaint form of the portal.")
            )
        serializer = IntakeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with service_refusals():
            complaint = services.create_complaint(
                serializer.validated_data["complaint"], request.user
            )
        complaint = self.get_queryset().get(pk=complaint.pk)
        data = self.represent(complaint, services.audience(request.user, complaint))
        return Response(data, status=status.HTTP_201_CREATED)

    def to_handle(self):
        """The complaint of the URL, found in the view scope (else 404), for those handling it
        (else 403)."""
        complaint = self.get_object()
        if not services.may_handle(self.request.user, complaint):
            raise PermissionDenied(_("Only the bureau handling this complaint may do this."))
        return complaint

    def take(self, request, action_name):
        """One step of the table: found in the view scope (else 404), taken only by those
        handling the complaint (else 403), refused by the services with their message (400)."""
        complaint = self.to_handle()
        body = BODIES[action_name](data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        note = data.pop("note", "")
        with service_refusals():
            services.transition(complaint, action_name, request.user, note, **data)
        complaint = self.get_queryset().get(pk=complaint.pk)
        return Response(self.represent(complaint, "handler"))

    @extend_schema(
        summary="History",
        description="Every step with its note for those handling the complaint; a consulted "
        "expert and a bureau that handed it on read the steps without their notes; the "
        "complainant only the steps of its timeline, with the note where it is meant for it.",
        responses={
            200: PolymorphicProxySerializer(
                component_name="ComplaintEventView",
                serializers=[EventSerializer, PublicEventSerializer],
                resource_type_field_name=None,
                many=True,
            ),
            404: ERRORS[404],
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request, pk=None):
        complaint = self.get_object()
        events, notes = services.visible_events(
            complaint, services.audience(request.user, complaint)
        )
        serializer = EVENT_SERIALIZERS[notes]
        return Response(serializer(events, many=True).data)

    @extend_schema(
        summary="Statutory clocks",
        responses={
            200: ClockSerializer(many=True),
            403: OpenApiResponse(
                description="The complainant and a bureau that handed it on do not see the clocks."
            ),
            404: ERRORS[404],
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def clocks(self, request, pk=None):
        complaint = self.get_object()
        # The clocks are the deadlines: for those whose view of the complaint includes them.
        if "next_deadline" not in AUDIENCES[services.audience(request.user, complaint)].fields:
            raise PermissionDenied(_("The statutory clocks are for those handling the complaint."))
        return Response(ClockSerializer(services.current_clocks(complaint), many=True).data)

    @extend_schema(
        summary="Pause the clocks",
        description="Start a period the time limits listing its reason do not count "
        "(testing or appraisal, the rights holder identifying its secret, hearing, public "
        "announcement, suspension). The clocks it stops have no due day until it ends.",
        request=ClockPauseSerializer,
        responses={201: ClockPauseSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def pauses(self, request, pk=None):
        complaint = self.to_handle()
        body = ClockPauseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_refusals():
            pause = services.start_pause(complaint, request.user, **body.validated_data)
        return Response(ClockPauseSerializer(pause).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="End a pause",
        description="The clocks it stopped run again from the day after.",
        parameters=[
            OpenApiParameter("pause_id", int, OpenApiParameter.PATH, description="The pause."),
        ],
        request=ClockPauseEndBody,
        responses={
            200: ClockPauseSerializer,
            **ERRORS,
            404: OpenApiResponse(description="No such complaint, or pause of it, in your scope."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"pauses/(?P<pause_id>[0-9]+)/end",
        url_name="end-pause",
        filter_backends=[],
        pagination_class=None,
    )
    def end_pause(self, request, pk=None, pause_id=None):
        complaint = self.to_handle()
        pause = get_object_or_404(
            ClockPause.objects.restrict(request.user, "view").filter(complaint=complaint),
            pk=pause_id,
        )
        body = ClockPauseEndBody(data=request.data)
        body.is_valid(raise_exception=True)
        with service_refusals():
            pause = services.end_pause(pause, request.user, **body.validated_data)
        return Response(ClockPauseSerializer(pause).data)

    @extend_schema(
        summary="Extend a time limit",
        description="The head's approval extends a running limit once by its own extension; "
        "where the rule allows (the case clock, 行政处罚程序规定 art. 64), further extensions "
        "are collective decisions of the heads, each stating its period. Recorded with who "
        "decided, when and the document's number.",
        request=ClockExtensionBody,
        responses={201: ClockExtensionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def extensions(self, request, pk=None):
        complaint = self.to_handle()
        body = ClockExtensionBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        with service_refusals():
            extension = services.extend(
                complaint, request.user, limit_code=data.pop("limit"), **data
            )
        return Response(ClockExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Declare a conflict of interest",
        description="An expert consulted on the complaint recuses themselves (回避), with the "
        "reason: the consultation ends and the recusal stays in the complaint's history.",
        request=ConsultationRecusalBodySerializer,
        responses={
            201: ConsultationRecusalSerializer,
            400: ERRORS[400],
            403: OpenApiResponse(description="Only an expert consulted on it recuses here."),
            404: ERRORS[404],
        },
    )
    @action(detail=True, methods=["post"])
    def recusal(self, request, pk=None):
        complaint = self.get_object()
        if not services.is_consulted_expert(request.user, complaint):
            raise PermissionDenied(_("You are not consulted on this complaint."))
        body = ConsultationRecusalBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_refusals():
            recusal = services.declare_recusal(
                complaint, request.user, body.validated_data["reason"]
            )
        return Response(ConsultationRecusalSerializer(recusal).data, status=status.HTTP_201_CREATED)


for _rule in TRANSITIONS:
    setattr(ComplaintViewSet, _rule.action, _transition_action(_rule))
