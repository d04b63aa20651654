"""The information platform's read-only public API: no login, only what the pages show."""

from django.urls import reverse
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.throttling import BaseThrottle
from rest_framework.viewsets import ReadOnlyModelViewSet

from demonstrations.api import DesignationSerializer, DesignationViewSet
from tsprotect.accounts.throttle import throttled

from . import services
from .models import Notice


class PublicDesignationSerializer(DesignationSerializer):
    """The authenticated API's designation fields, plus the division code, the year and the
    certificate check URL that the QR code on the plaque opens."""

    prefecture_code = serializers.CharField(source="prefecture_id", read_only=True)
    year = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta(DesignationSerializer.Meta):
        fields = [*DesignationSerializer.Meta.fields, "prefecture_code", "year", "verify_url"]

    def get_year(self, obj) -> int | None:
        return obj.designated_on.year if obj.designated_on else None

    def get_verify_url(self, obj) -> str:
        url = reverse("public:verify", args=[obj.certificate_number])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class PublicApiThrottle(BaseThrottle):
    """Anyone may read the public API, but not scrape it flat out: ``settings.RATELIMITS
    ["public_api"]`` requests per address, counted like the public forms."""

    def allow_request(self, request, view):
        return not throttled(request, "public_api")

    def wait(self):
        return None


class PublicDesignationViewSet(DesignationViewSet):
    """Designated demonstration units (valid, expired or revoked), for anyone (§9)."""

    serializer_class = PublicDesignationSerializer
    permission_classes = [AllowAny]
    throttle_classes = [PublicApiThrottle]


class PublicNoticeSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "title", "summary", "category", "published_at", "url"]

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class PublicNoticeViewSet(ReadOnlyModelViewSet):
    """Published notices of the information platform; drafts and withdrawn ones are not here."""

    serializer_class = PublicNoticeSerializer
    permission_classes = [AllowAny]
    throttle_classes = [PublicApiThrottle]
    queryset = Notice.objects.none()
    search_fields = ["title"]

    def get_queryset(self):
        queryset = services.published().only(
            "title", "summary", "category", "published_at", "status"
        )
        category = self.request.query_params.get("category")
        if category:
            queryset = queryset.filter(category=category)
        return queryset
