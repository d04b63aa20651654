from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import ReadOnlyModelViewSet

from tsprotect.accounts.models import User
from tsprotect.core.api import ScopedViewSet, service_refusals
from tsprotect.core.relations import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from tsprotect.regions.models import Prefecture

from . import public, services
from .filters import ApplicationFilter
from .models import (
    AcceptanceEvaluation,
    AcceptanceFinding,
    AcceptancePartyMember,
    DemonstrationApplication,
    ExpertAssignment,
    PilotEntry,
    Recusal,
)
from .workflow import (
    ENTERPRISE_TRACKS,
    RUBRIC,
    TRANSITIONS_BY_ACTION,
    AcceptanceParty,
    AcceptanceResult,
    FindingLevel,
    FtzSelection,
    PilotEntryKind,
    Track,
)


class ApplicationSerializer(ScopedModelSerializer):
    # Set from the enterprise or the filing bureau; the province names the lead prefecture of a
    # base it files.
    prefecture = ScopedPrimaryKeyRelatedField(queryset=Prefecture.objects.all(), required=False)
    concerned_prefectures = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    county = serializers.CharField(source="county_id", read_only=True, allow_null=True)
    ftz_area = serializers.CharField(source="ftz_area_id", read_only=True, allow_null=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = DemonstrationApplication
        fields = [
            "id",
            "track",
            "batch",
            "state",
            "name",
            "enterprise",
            "host_organisation",
            "member_enterprises",
            "sites",
            "partner_organisations",
            "prefecture",
            "county",
            "ftz_area",
            "rules_system",
            "organisation",
            "measures",
            "achievements",
            "contact_person",
            "contact_phone",
            "submitted_at",
            "decided_at",
            "certificate_number",
            "designated_on",
            "valid_until",
            "national_candidate",
            "concerned_prefectures",
            "ftz_selection",
            "ftz_selection_reason",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "ftz_selection",
            "ftz_selection_reason",
            "state",
            "submitted_at",
            "decided_at",
            "certificate_number",
            "designated_on",
            "valid_until",
            "national_candidate",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"name": {"required": False}}

    def get_available_actions(self, obj) -> list[str]:
        return [t.action for t in services.available_transitions(obj, self.context["request"].user)]

    def validate(self, attrs):
        if self.instance is not None and "track" in attrs and attrs["track"] != self.instance.track:
            raise serializers.ValidationError({"track": "The track of an application is fixed."})
        user = self.context["request"].user
        candidate = self.instance or DemonstrationApplication()
        self._relations = {
            "members": attrs.pop("member_enterprises", None),
            "sites": attrs.pop("sites", None),
        }
        for name, value in attrs.items():
            setattr(candidate, name, value)
        if candidate.track in ENTERPRISE_TRACKS and candidate.enterprise_id:
            candidate.name = candidate.enterprise.name
        elif not candidate.name:
            raise serializers.ValidationError({"name": "This field is required."})
        with service_refusals():
            services.check_application(candidate, user)
        self._candidate = candidate
        return attrs

    def _relation_kwargs(self, instance):
        members = self._relations["members"]
        sites = self._relations["sites"]
        return {
            "members": members if members is not None else instance.member_enterprises.all(),
            "sites": sites if sites is not None else instance.sites.all(),
        }

    def create(self, validated_data):
        candidate = self._candidate
        with service_refusals():
            return services.create_application(
                candidate,
                self.context["request"].user,
                members=self._relations["members"] or (),
                sites=self._relations["sites"] or (),
            )

    def update(self, instance, validated_data):
        with service_refusals():
            return services.update_application(
                self._candidate,
                self.context["request"].user,
                **self._relation_kwargs(instance),
            )


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(TRANSITIONS_BY_ACTION))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    experts = ScopedPrimaryKeyRelatedField(many=True, queryset=User.objects.all())


class ReviewSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.CharField(allow_blank=True))
    comment = serializers.CharField(allow_blank=True)


class AssignmentSerializer(serializers.ModelSerializer):
    expert = serializers.CharField(source="expert.username", read_only=True)

    class Meta:
        model = ExpertAssignment
        fields = ["id", "expert", "assigned_at", "scores", "total", "comment", "scored_at"]


class RecusalBodySerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RecusalSerializer(serializers.ModelSerializer):
    expert = serializers.CharField(source="expert.username", read_only=True)

    class Meta:
        model = Recusal
        fields = ["id", "application", "expert", "reason", "declared_at"]
        read_only_fields = fields


class FtzSelectionSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(choices=FtzSelection.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PilotEntrySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=PilotEntryKind.choices)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = PilotEntry
        fields = ["id", "kind", "happened_on", "summary", "recorded_by", "recorded_at"]
        read_only_fields = ["id", "recorded_by", "recorded_at"]


class AcceptancePartySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=AcceptanceParty.choices)
    names = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    class Meta:
        model = AcceptancePartyMember
        fields = ["kind", "organisation", "names"]


class AcceptanceFindingSerializer(serializers.ModelSerializer):
    criterion = serializers.ChoiceField(choices=[(c.key, c.label) for c in RUBRIC])
    level = serializers.ChoiceField(choices=FindingLevel.choices)
    remarks = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = AcceptanceFinding
        fields = ["criterion", "level", "remarks"]


class AcceptanceDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    original_name = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("demonstrations:acceptance_document_download", args=[obj.pk])


class AcceptanceSerializer(serializers.ModelSerializer):
    """An acceptance evaluation: written whole, once; the documents are added on the page."""

    result = serializers.ChoiceField(choices=AcceptanceResult.choices)
    rectification = serializers.CharField(required=False, allow_blank=True, default="")
    parties = AcceptancePartySerializer(many=True)
    findings = AcceptanceFindingSerializer(many=True)
    documents = AcceptanceDocumentSerializer(many=True, read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = AcceptanceEvaluation
        fields = [
            "id",
            "evaluated_on",
            "result",
            "conclusion",
            "rectification",
            "parties",
            "findings",
            "documents",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_by", "recorded_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_party_names"):
            # The names of the people who evaluated are for the bureaus, as on the page.
            for party in data["parties"]:
                party["names"] = ""
        return data


# Custom actions find the application in the user's view scope; the services decide who may act.
VIEW_ACTIONS = (
    "transition",
    "experts",
    "review",
    "reviews",
    "ftz_selection",
    "pilot_record",
    "acceptances",
    "recusal",
)


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Demonstration applications under the same scoping as the pages; state changes go through
    ``transition``, never through an update."""

    queryset = DemonstrationApplication.objects.all()
    serializer_class = ApplicationSerializer
    related = ("prefecture", "batch")
    filterset_class = ApplicationFilter
    search_fields = ["name", "=certificate_number"]
    ordering_fields = ["name", "updated_at", "submitted_at"]
    ordering = ["-updated_at", "-pk"]

    def get_queryset(self):
        if self.action in VIEW_ACTIONS:
            return DemonstrationApplication.objects.restrict(self.request.user, "view")
        return super().get_queryset().prefetch_related("member_enterprises", "sites")

    def _respond(self, application):
        application.refresh_from_db()
        return Response(self.get_serializer(application).data)

    @extend_schema(request=TransitionSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        application = self.get_object()
        body = TransitionSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with service_refusals():
            data = body.validated_data
            services.transition(application, data["action"], request.user, data["note"])
        return self._respond(application)

    @extend_schema(request=AssignSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def experts(self, request, pk=None):
        application = self.get_object()
        body = AssignSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with service_refusals():
            services.assign_experts(application, body.validated_data["experts"], request.user)
        return self._respond(application)

    @extend_schema(request=ReviewSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        application = self.get_object()
        body = ReviewSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        assignment = ExpertAssignment.objects.filter(
            application=application, expert=request.user
        ).first()
        if assignment is None:
            return Response(
                {"detail": ["You are not assigned to review this application."]},
                status=status.HTTP_403_FORBIDDEN,
            )
        with service_refusals():
            data = body.validated_data
            services.submit_review(assignment, request.user, data["scores"], data["comment"])
        assignment.refresh_from_db()
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(request=FtzSelectionSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="ftz-selection")
    def ftz_selection(self, request, pk=None):
        """How an FTZ enterprise was selected for the pilot (§5), recorded by its bureau."""
        application = self.get_object()
        body = FtzSelectionSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with service_refusals():
            services.record_ftz_selection(application, request.user, **body.validated_data)
        return self._respond(application)

    @extend_schema(methods=["GET"], request=None, responses=PilotEntrySerializer(many=True))
    @extend_schema(
        methods=["POST"], request=PilotEntrySerializer, responses={201: PilotEntrySerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="pilot-record",
        filter_backends=[],
        pagination_class=None,
    )
    def pilot_record(self, request, pk=None):
        """The FTZ pilot's record: the bureau's guidance and the enterprise's progress."""
        application = self.get_object()
        if request.method == "GET":
            entries = PilotEntry.objects.restrict(request.user).filter(application=application)
            return Response(
                PilotEntrySerializer(entries.select_related("recorded_by"), many=True).data
            )
        body = PilotEntrySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_refusals():
            entry = services.record_pilot_entry(application, request.user, **body.validated_data)
        return Response(PilotEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=AcceptanceSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=AcceptanceSerializer, responses={201: AcceptanceSerializer}
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def acceptances(self, request, pk=None):
        """The acceptance evaluations of an FTZ pilot (§5); recording one acts on its result."""
        application = self.get_object()
        context = {
            **self.get_serializer_context(),
            "show_party_names": services.is_province(request.user)
            or services.is_bureau_of(request.user, application),
        }
        if request.method == "GET":
            evaluations = (
                AcceptanceEvaluation.objects.restrict(request.user)
                .filter(application=application)
                .select_related("recorded_by")
                .prefetch_related("parties", "findings", "documents")
            )
            return Response(AcceptanceSerializer(evaluations, many=True, context=context).data)
        body = AcceptanceSerializer(data=request.data, context=context)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        findings = {}
        for finding in data["findings"]:
            findings[finding["criterion"]] = (finding["level"], finding["remarks"])
        with service_refusals():
            evaluation = services.record_acceptance(
                application,
                request.user,
                evaluated_on=data["evaluated_on"],
                result=data["result"],
                conclusion=data["conclusion"],
                rectification=data["rectification"],
                parties=[dict(party) for party in data["parties"]],
                findings=findings,
            )
        return Response(
            AcceptanceSerializer(evaluation, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=RecusalBodySerializer, responses={201: RecusalSerializer})
    @action(detail=True, methods=["post"])
    def recusal(self, request, pk=None):
        """The assigned expert declares a conflict of interest (回避) and leaves the panel."""
        application = self.get_object()
        body = RecusalBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = ExpertAssignment.objects.filter(
            application=application, expert=request.user
        ).first()
        if assignment is None:
            return Response(
                {"detail": ["You are not assigned to review this application."]},
                status=status.HTTP_403_FORBIDDEN,
            )
        with service_refusals():
            recusal = services.declare_recusal(
                assignment, request.user, body.validated_data["reason"]
            )
        return Response(RecusalSerializer(recusal).data, status=status.HTTP_201_CREATED)

    # All of one application's reviews in one plain list: neither paged nor filtered.
    @extend_schema(responses=AssignmentSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def reviews(self, request, pk=None):
        application = self.get_object()
        assignments = (
            ExpertAssignment.objects.restrict(request.user)
            .filter(application=application)
            .select_related("expert")
        )
        return Response(AssignmentSerializer(assignments, many=True).data)


class DesignationSerializer(serializers.ModelSerializer):
    prefecture = serializers.CharField(source="prefecture.name")
    track_label = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = DemonstrationApplication
        fields = [
            "id",
            "track",
            "track_label",
            "name",
            "prefecture",
            "certificate_number",
            "designated_on",
            "valid_until",
            "national_candidate",
            "status",
        ]

    def get_track_label(self, obj) -> str:
        return str(Track(obj.track).label)

    def get_status(self, obj) -> str:
        return obj.public_status()


class DesignationViewSet(ReadOnlyModelViewSet):
    """The designated units, as public as the information platform's list (§9)."""

    serializer_class = DesignationSerializer
    permission_classes = [IsAuthenticated]
    queryset = DemonstrationApplication.objects.none()

    def get_queryset(self):
        queryset = public.public_designations().order_by("-designated_on", "certificate_number")
        track = self.request.query_params.get("track")
        if track:
            queryset = queryset.filter(track=track)
        return queryset
