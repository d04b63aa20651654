from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination as BasePagination


class PageNumberPagination(BasePagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        """A page size that is not a whole number from 1 up is refused, not silently replaced
        by the default: the caller would otherwise take a page of 50 for the one it asked."""
        value = request.query_params.get(self.page_size_query_param, "")
        if value == "":
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if size < 1:
            raise serializers.ValidationError(
                {self.page_size_query_param: [_("Give the page size as a whole number from 1.")]}
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = str(
                    _("Number of results per page, at most %(max)d.") % {"max": self.max_page_size}
                )
        return parameters
