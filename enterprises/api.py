import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, serializers

from tsprotect.core import scoping
from tsprotect.core.api import ScopedViewSet
from tsprotect.core.relations import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
)
from tsprotect.core.validators import normalise_uscc
from tsprotect.regions.models import County, FtzArea, HostOrganisation, Prefecture

from .filters import EnterpriseFilter
from .models import Enterprise


class EnterpriseSerializer(ScopedModelSerializer):
    prefecture = ScopedSlugRelatedField(slug_field="code", queryset=Prefecture.objects.all())
    prefecture_name = serializers.CharField(source="prefecture.name", read_only=True)
    county = ScopedSlugRelatedField(
        slug_field="code", queryset=County.objects.all(), allow_null=True, required=False
    )
    # An enterprise placed in no county answers null.
    county_name = serializers.CharField(
        source="county.name", read_only=True, default=None, allow_null=True
    )
    park = ScopedPrimaryKeyRelatedField(
        queryset=HostOrganisation.objects.filter(kind__in=HostOrganisation.PARK_KINDS),
        allow_null=True,
        required=False,
    )
    ftz_area = ScopedSlugRelatedField(
        slug_field="code", queryset=FtzArea.objects.all(), allow_null=True, required=False
    )
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = [
            "id",
            *Enterprise.EDITABLE_FIELDS,
            "prefecture_name",
            "county_name",
            "industry_section",
            "tags",
            "risk_tier",
            "risk_assessed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "industry_section",
            "risk_tier",
            "risk_assessed_on",
            "created_at",
            "updated_at",
        ]

    def get_tags(self, obj) -> list[str]:
        return [key for key in Enterprise.TAGS if getattr(obj, f"is_{key}")]

    def validate_uscc(self, value):
        return normalise_uscc(value)

    def validate(self, attrs):
        """The same rules as the page: the placement scope, then the model's own checks."""
        user = self.context["request"].user
        instance = self.instance or Enterprise()
        prefecture = attrs.get("prefecture", getattr(instance, "prefecture", None))
        county = attrs.get("county", instance.county if instance.pk else None)
        try:
            scoping.check_placement(
                user,
                Enterprise,
                "change" if instance.pk else "add",
                prefecture.pk if prefecture else None,
                county.pk if county else None,
            )
            candidate = copy.copy(instance)
            for name, value in attrs.items():
                setattr(candidate, name, value)
            candidate.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


class EnterpriseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Enterprises of the directory within the caller's scope.

    `q` searches a name fragment or an exact credit code; `search` does the same over name and
    code. Regions are given by their division codes.
    """

    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    related = ("prefecture", "county", "park", "ftz_area")
    filterset_class = EnterpriseFilter
    search_fields = ["name", "=uscc"]
    ordering_fields = ["name", "uscc", "created_at", "last_confirmed_on"]
    ordering = ["name", "id"]

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)
