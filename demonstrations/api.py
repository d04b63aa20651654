from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import ReadOnlyModelViewSet

from tsprotect.accounts.models import User
from tsprotect.core.api import ScopedViewSet, drf_error
from tsprotect.core.relations import ScopedModelSerializer, ScopedPrimaryKeyRelatedField

from . import public, services
from .filters import ApplicationFilter
from .models import DemonstrationApplication, ExpertAssignment, Recusal
from .workflow import ENTERPRISE_TRACKS, TRANSITIONS_BY_ACTION, Track


class ApplicationSerializer(ScopedModelSerializer):
    prefecture = serializers.CharField(source="prefecture_id", read_only=True)
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
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
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
        try:
            services.check_application(candidate, user)
        except DjangoValidationError as error:
            raise drf_error(error) from None
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
        try:
            return services.create_application(
                candidate,
                self.context["request"].user,
                members=self._relations["members"] or (),
                sites=self._relations["sites"] or (),
            )
        except DjangoValidationError as error:
            raise drf_error(error) from None

    def update(self, instance, validated_data):
        try:
            return services.update_application(
                self._candidate,
                self.context["request"].user,
                **self._relation_kwargs(instance),
            )
        except DjangoValidationError as error:
            raise drf_error(error) from None


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


# Custom actions find the application in the user's view scope; the services decide who may act.
VIEW_ACTIONS = ("transition", "experts", "review", "reviews", "recusal")


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
        try:
            data = body.validated_data
            services.transition(application, data["action"], request.user, data["note"])
        except DjangoValidationError as error:
            raise drf_error(error) from None
        return self._respond(application)

    @extend_schema(request=AssignSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def experts(self, request, pk=None):
        application = self.get_object()
        body = AssignSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        try:
            services.assign_experts(application, body.validated_data["experts"], request.user)
        except DjangoValidationError as error:
            raise drf_error(error) from None
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
        try:
            data = body.validated_data
            services.submit_review(assignment, request.user, data["scores"], data["comment"])
        except DjangoValidationError as error:
            raise drf_error(error) from None
        assignment.refresh_from_db()
        return Response(AssignmentSerializer(assignment).data)

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
        try:
            recusal = services.declare_recusal(
                assignment, request.user, body.validated_data["reason"]
            )
        except DjangoValidationError as error:
            raise drf_error(error) from None
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
