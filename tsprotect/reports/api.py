"""``/api/v1/reports/``: the periodic reports under the same scoping and rules as the pages.

Officers see their own prefecture's reports; provincial staff see all of them and the provincial
consolidation (``prefecture`` null). Builds, submissions and reviews go through
``services.py``; a refusal is a 400 with the message, a report out of scope a 404.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from tsprotect.core.api import ScopedViewSet, drf_error
from tsprotect.core.views import private_file

from . import services
from .models import Report, ReportBuild
from .periods import PeriodKind

# Named in the OpenAPI schema (settings.SPECTACULAR_SETTINGS): both are "status" fields.
REPORT_STATUSES = Report.Status.choices
BUILD_STATUSES = ReportBuild.Status.choices


class ReportSerializer(serializers.ModelSerializer):
    prefecture = serializers.CharField(source="prefecture_id", read_only=True, allow_null=True)
    late = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "period",
            "period_kind",
            "starts_on",
            "ends_on",
            "due_on",
            "prefecture",
            "status",
            "late",
            "version",
            "built_at",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "work_done",
            "problems",
            "next_steps",
            "pdf_url",
            "xlsx_url",
        ]
        read_only_fields = fields

    def get_late(self, obj) -> bool:
        return obj.is_late()

    def _url(self, obj, name):
        return self.context["request"].build_absolute_uri(
            reverse(f"api:report-{name}", args=[obj.pk])
        )

    def get_pdf_url(self, obj) -> str:
        return self._url(obj, "pdf")

    def get_xlsx_url(self, obj) -> str:
        return self._url(obj, "xlsx")


class ReportDetailSerializer(ReportSerializer):
    figures = serializers.JSONField(read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "figures"]
        read_only_fields = fields


class BuildRequestSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="2026-09, 2026-Q3 or 2026")
    prefecture = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="6-digit division code; empty or null for the provincial consolidation",
    )


class BuildSerializer(serializers.ModelSerializer):
    prefecture = serializers.CharField(source="prefecture_id", read_only=True, allow_null=True)
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReportBuild
        fields = [
            "id",
            "period",
            "prefecture",
            "status",
            "percent",
            "step",
            "error",
            "requested_at",
            "finished_at",
            "report",
        ]
        read_only_fields = fields


class NarrativeSerializer(serializers.Serializer):
    work_done = serializers.CharField(required=False, allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True)
    next_steps = serializers.CharField(required=False, allow_blank=True)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReportFilter(filters.FilterSet):
    period = filters.CharFilter(help_text="2026-09, 2026-Q3 or 2026")
    period_kind = filters.ChoiceFilter(choices=PeriodKind.choices)
    prefecture = filters.CharFilter(field_name="prefecture_id", help_text="6-digit division code")
    consolidation = filters.BooleanFilter(
        field_name="prefecture", lookup_expr="isnull", help_text="only the provincial ones"
    )
    status = filters.ChoiceFilter(choices=Report.Status.choices)

    class Meta:
        model = Report
        fields = []


def _refused(error):
    if isinstance(error, DjangoPermissionDenied):
        return PermissionDenied(str(error))
    return drf_error(error)


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Report.objects.all()
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    search_fields = ["period", "prefecture__name"]
    ordering_fields = ["ends_on", "due_on", "status", "submitted_at"]

    def get_queryset(self):
        # Every action reads the report through its "view" scope; the services check the rest.
        return Report.objects.restrict(self.request.user, "view").select_related("prefecture")

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def _answer(self, call):
        try:
            report = call()
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise _refused(error) from None
        return Response(ReportSerializer(report, context={"request": self.request}).data)

    @extend_schema(request=BuildRequestSerializer, responses={202: BuildSerializer})
    @action(detail=False, methods=["post"], url_path="build")
    def build(self, request):
        """Queue a build of one report; follow it at ``/api/v1/reports/builds/{id}/``."""
        body = BuildRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            build = services.request_build(
                request.user, body.validated_data["period"], body.validated_data.get("prefecture")
            )
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise _refused(error) from None
        return Response(BuildSerializer(build).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=BuildSerializer)
    @action(detail=False, methods=["get"], url_path=r"builds/(?P<build_id>\d+)")
    def build_status(self, request, build_id):
        build = ReportBuild.objects.restrict(request.user).filter(pk=build_id).first()
        if build is None:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        return Response(BuildSerializer(build).data)

    @extend_schema(request=NarrativeSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def narrative(self, request, pk=None):
        body = NarrativeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = self.get_object()
        return self._answer(
            lambda: services.save_narrative(report, request.user, **body.validated_data)
        )

    @extend_schema(request=NarrativeSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        body = NarrativeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = self.get_object()
        return self._answer(lambda: services.submit(report, request.user, **body.validated_data))

    @extend_schema(request=CommentSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = self.get_object()
        comment = body.validated_data["comment"]
        return self._answer(lambda: services.acknowledge(report, request.user, comment))

    @extend_schema(request=CommentSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_report(self, request, pk=None):
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = self.get_object()
        comment = body.validated_data["comment"]
        return self._answer(lambda: services.return_report(report, request.user, comment))

    def _file(self, kind, content_type):
        report = self.get_object()
        stored = services.report_file(report, kind)
        name = f"{report.period}-{report.prefecture_id or '430000'}.{kind}"
        return private_file(stored, name, content_type)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return self._file("pdf", "application/pdf")

    @extend_schema(
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY
        }
    )
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        return self._file(
            "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
