"""The OpenAPI schema of the JSON API (``/api/schema/``): what drf-spectacular derives from the
serializers, plus what every operation may answer besides success, so that a client — and
``make fuzz`` — can hold each answer to the published schema."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers

ERROR = ResolvedComponent(
    name="Error",
    type=ResolvedComponent.SCHEMA,
    object="Error",
    schema={
        "description": "Why the request was refused, in the caller's language: `detail` for "
        "the request as a whole, otherwise the messages by field; a search or filter value "
        "refused by itself (a NUL character) answers a plain list of messages.",
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "detail": {
                        "oneOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string"}},
                        ]
                    }
                },
                "additionalProperties": True,
            },
            {"type": "array", "items": {"type": "string"}},
        ],
    },
)


class PortalAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        registry.register_on_missing(ERROR)
        for parameter in operation.get("parameters", []):
            # An empty filter, search, ordering or page value counts as not given, as on the
            # pages' filter forms.
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True
        responses = operation["responses"]
        for code, description in self._refusals(operation):
            # A refusal an operation documents itself keeps its own description.
            response = responses.setdefault(code, {"description": description})
            response.setdefault("content", {"application/json": {"schema": ERROR.ref}})
        return operation

    def _refusals(self, operation):
        """The error statuses this operation can answer, from what it takes and who may call."""
        parameters = operation.get("parameters", [])
        query = {p["name"] for p in parameters if p["in"] == "query"}
        # A step a service refuses (a checklist not complete) is a 400 even without a body.
        if self.method not in ("GET", "HEAD", "OPTIONS") or query:
            yield "400", "Refused: the messages by field, or under `detail`."
        if not all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()):
            yield "401", "Not signed in (no or an invalid token or session)."
            yield "403", "Signed in, but this is not yours to see or do."
        if any(p["in"] == "path" for p in parameters) or "page" in query:
            yield "404", "No such object in your scope, or no such page."
        if self.view.get_throttles():
            yield "429", "Too many requests from your address; try again later."

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        meta = super()._map_serializer_field(field, direction, bypass_extensions)
        # DRF drops `allow_blank` from the model fields a serializer lists as read-only, but
        # they still answer a blank choice (a tier not yet assessed, no remedy yet).
        if (
            field.read_only
            and isinstance(field, serializers.ChoiceField)
            and "" not in meta.get("enum", [""])
            and _model_field_is_blank(field)
        ):
            meta["enum"] = [*meta["enum"], ""]
        return meta


def _model_field_is_blank(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False
