import django_filters
from rest_framework import mixins, serializers

from tsprotect.core.api import ScopedViewSet
from tsprotect.regions.models import County, Prefecture

from .models import Enterprise


class EnterpriseSerializer(serializers.ModelSerializer):
    prefecture = serializers.SlugRelatedField(slug_field="code", queryset=Prefecture.objects.all())
    prefecture_name = serializers.CharField(source="prefecture.name", read_only=True)
    county = serializers.SlugRelatedField(
        slug_field="code", queryset=County.objects.all(), allow_null=True, required=False
    )
    county_name = serializers.CharField(source="county.name", read_only=True, default=None)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "uscc",
            "name",
            "prefecture",
            "prefecture_name",
            "county",
            "county_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class EnterpriseFilter(django_filters.FilterSet):
    prefecture = django_filters.CharFilter(field_name="prefecture_id")
    county = django_filters.CharFilter(field_name="county_id")

    class Meta:
        model = Enterprise
        fields = ["prefecture", "county"]


class EnterpriseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Enterprises of the directory within the caller's scope."""

    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    related = ("prefecture", "county")
    filterset_class = EnterpriseFilter
    search_fields = ["name", "=uscc"]
    ordering_fields = ["name", "uscc", "created_at"]
    ordering = ["name", "id"]
