from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from enterprises.models import Enterprise
from tsprotect.core.api import ScopedViewSet, service_refusals
from tsprotect.core.relations import ScopedModelSerializer, ScopedPrimaryKeyRelatedField

from . import services
from .models import ChecklistAnswer, ChecklistSubmission


class AnswerSerializer(ScopedModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)

    class Meta:
        model = ChecklistAnswer
        fields = ["item", "item_code", "answer", "note"]


class ChecklistSerializer(serializers.ModelSerializer):
    enterprise = ScopedPrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    prefecture = serializers.CharField(source="prefecture_id", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistSubmission
        fields = [
            "id",
            "enterprise",
            "prefecture",
            "template_version",
            "status",
            "on_behalf",
            "score",
            "risk_points",
            "tier",
            "explanation",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "answers",
            "updated_at",
        ]
        read_only_fields = [f for f in fields if f != "enterprise"]


class AnswersBody(serializers.Serializer):
    answers = AnswerSerializer(many=True)


class ChecklistViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Self-protection checklists: start (`POST` with an `enterprise`), answer, submit; the score,
    tier and reasons are computed by the same rule as the pages."""

    queryset = ChecklistSubmission.objects.all()
    serializer_class = ChecklistSerializer
    related = ("template",)
    filterset_fields = ["status", "tier"]
    search_fields = ["enterprise__name", "=enterprise__uscc"]
    ordering = ["-updated_at", "-pk"]

    def get_queryset(self):
        if self.action in ("answers", "submit"):
            queryset = ChecklistSubmission.objects.restrict(self.request.user, "view")
        else:
            queryset = super().get_queryset()
        return queryset.select_related("template").prefetch_related("answers__item")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enterprise = serializer.validated_data["enterprise"]
        with service_refusals():
            submission = services.start(enterprise, request.user)
        return Response(self.get_serializer(submission).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswersBody, responses=ChecklistSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        submission = self.get_object()
        body = AnswersBody(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        answers = {
            row["item"].pk: (row["answer"], row.get("note", ""), None)
            for row in body.validated_data["answers"]
        }
        with service_refusals():
            services.save_answers(submission, request.user, answers)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=ChecklistSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        submission = self.get_object()
        with service_refusals():
            services.submit(submission, request.user)
        return Response(self.get_serializer(self.get_object()).data)
