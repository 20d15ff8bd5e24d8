"""``AutoSchema``: drf-spectacular's schema class plus each operation's error responses."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import (
    ResolvedComponent,
    append_meta,
    build_media_type_object,
    force_instance,
    is_jsonschema_compliant,
)
from drf_spectacular.settings import spectacular_settings
from rest_framework import fields, permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.settings import api_settings

from django_strict_core.app_settings import app_settings
from django_strict_core.exceptions import exception_handler
from django_strict_core.openapi.components import (
    STATIC_ERRORS,
    TYPE_ENUMS,
    attr_schema,
    camel_case,
    envelope_schema,
    merged,
)
from django_strict_core.openapi.inputs import QUERY_CODES, input_errors
from django_strict_core.openapi.security import allows_anonymous

if TYPE_CHECKING:
    from drf_spectacular.plumbing import ComponentRegistry

    from django_strict_core.openapi.components import ErrorResponse, Schema

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "description": "The authentication scheme to use.",
    }
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before retrying.",
    }
}
ALLOW = {
    "Allow": {
        "schema": {"type": "string"},
        "description": "The methods the path answers, comma-separated.",
    }
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's ``AutoSchema`` plus the error responses of each operation.

    Subclass it to document more (override :meth:`get_error_responses` and extend
    what it returns); the exception handler class's ``documented_errors`` are added
    without a subclass.
    """

    registry: ComponentRegistry

    def get_auth(self) -> list[Schema]:
        """Return the security requirements; ``{}`` where anonymous calls are allowed.

        Returns:
            drf-spectacular's requirements, plus ``{}`` when every permission of the
            view lets an anonymous request through (see
            :func:`~django_strict_core.openapi.allows_anonymous`).
        """
        auths: list[Schema] = super().get_auth()
        anonymous = all(
            allows_anonymous(permission, self.method)
            for permission in self.view.get_permissions()
        )
        if anonymous and {} not in auths:
            auths.append({})
        return auths

    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> Schema | None:
        """Return the operation with its error responses added.

        Returns:
            The operation object, or ``None`` when the view is excluded.
        """
        operation: Schema | None = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None or not self.uses_error_envelope():
            return operation
        responses: Schema = operation["responses"]
        for status_code, response in self.get_error_responses(operation).items():
            responses.setdefault(status_code, response)
        return operation

    def uses_error_envelope(self) -> bool:
        """Whether the view answers errors with this package's exception handler.

        Returns:
            ``True`` when the view's exception handler is ``exception_handler``,
            whichever ``STRICT_CORE_EXCEPTION_HANDLER_CLASS`` it runs.
        """
        return bool(self.view.get_exception_handler() is exception_handler)

    def handler_errors(self) -> dict[str, list[ErrorResponse]]:
        """Return the errors the exception handler class adds, for this operation.

        Returns:
            Its ``documented_errors`` that apply to the operation's method, by status.
        """
        found: dict[str, list[ErrorResponse]] = defaultdict(list)
        handler = app_settings.STRICT_CORE_EXCEPTION_HANDLER_CLASS
        for error in handler.documented_errors:
            if error.applies_to(self.method):
                found[str(error.status)].append(error)
        return dict(found)

    def get_error_responses(self, operation: Schema) -> dict[str, Schema]:
        """Return the error responses this operation can answer with.

        Returns:
            Response objects by status code.
        """
        extra = self.handler_errors()
        responses: dict[str, Schema] = {}
        has_body = "requestBody" in operation
        if self.method in BODY_METHODS and has_body:
            responses["400"] = self._bad_request_response(extra)
        elif query := self._validated_query_parameters(operation):
            responses["400"] = self._query_error_response(query, extra)
        else:
            # A foreign Host or too many query fields: any request can be malformed.
            responses["400"] = self._static_response("400", extra)
        # HTTP's refusals, which any request may get: a method the path does not
        # answer, an Accept header no renderer satisfies (DRF), and a head too slow,
        # too long or too large (the server of django_strict_core.gunicorn, a proxy).
        responses["405"] = self._static_response("405", extra, ALLOW)
        for status_code in ("406", "408", "414", "431"):
            responses[status_code] = self._static_response(status_code, extra)
        if has_body:
            responses["413"] = self._static_response("413", extra)
            responses["415"] = self._static_response("415", extra)
        auth_failure_status, forbidden = self._auth_statuses()
        if auth_failure_status == "401":
            responses["401"] = self._static_response("401", extra, WWW_AUTHENTICATE)
        if forbidden or auth_failure_status == "403":
            responses["403"] = self._static_response("403", extra)
        if self._may_not_find(operation):
            responses["404"] = self._static_response("404", extra)
        if self.view.get_throttles():
            responses["429"] = self._static_response("429", extra, RETRY_AFTER)
        responses["500"] = self._static_response("500", extra)
        responses["503"] = self._static_response("503", extra, RETRY_AFTER)
        for status_code in extra:
            if status_code not in responses:
                responses[status_code] = self._static_response(status_code, extra)
        return dict(sorted(responses.items()))

    def _auth_statuses(self) -> tuple[str | None, bool]:
        """Return the status of authentication failures and whether 403 may happen."""
        authenticators = self.view.get_authenticators()
        view_permissions = self.view.get_permissions()
        anonymous_refused = any(
            not isinstance(p, permissions.AllowAny) for p in view_permissions
        )
        may_fail_auth = bool(authenticators) or anonymous_refused
        header = (
            authenticators[0].authenticate_header(self.view.request)
            if authenticators
            else None
        )
        auth_failure_status = ("401" if header else "403") if may_fail_auth else None
        refuses = any(
            type(p) not in (permissions.AllowAny, permissions.IsAuthenticated)
            for p in view_permissions
        )
        checks_csrf = self.method in UNSAFE_METHODS and any(
            isinstance(a, SessionAuthentication) for a in authenticators
        )
        return auth_failure_status, refuses or checks_csrf

    def _validated_query_parameters(self, operation: Schema) -> list[str]:
        """Return the query parameters whose bad values answer 400.

        A bad page number or cursor answers 404 (documented as such); any other
        query parameter, such as ``page_size`` or a filter, is validated.
        """
        paginator = self._get_paginator()  # type: ignore[no-untyped-call]
        not_validated = {
            getattr(paginator, "page_query_param", None),
            getattr(paginator, "cursor_query_param", None),
        }
        return [
            str(parameter["name"])
            for parameter in operation.get("parameters", [])
            if parameter.get("in") == "query" and parameter["name"] not in not_validated
        ]

    def _query_error_response(
        self, names: list[str], extra: dict[str, list[ErrorResponse]]
    ) -> Schema:
        """Return the 400 response about invalid query parameters."""
        name = f"{camel_case(self.get_operation_id())}QueryError"
        validation = self._register(
            name,
            envelope_schema(
                self._type_ref("ValidationErrorTypeEnum"),
                code={"type": "string", "enum": list(QUERY_CODES)},
                attr=self._attr(name, attr_schema((p,) for p in names)),
            ),
        )
        # A malformed request (too many query fields, a foreign Host) is a 400 too.
        client = next(iter(self._static_response("400", extra)["content"].values()))
        return {
            "description": "A query parameter is invalid, or the request malformed.",
            "content": self._content({"oneOf": [validation, client["schema"]]}),
        }

    def _may_not_find(self, operation: Schema) -> bool:
        """Whether the operation can answer 404: path parameters or pagination."""
        if any(p.get("in") == "path" for p in operation.get("parameters", [])):
            return True
        paginator = self._get_paginator()  # type: ignore[no-untyped-call]
        return paginator is not None and bool(self._is_list_view())

    def _content(self, schema: Schema) -> Schema:
        """Return a response ``content`` object for the view's renderers."""
        media_types = self.map_renderers("media_type") or ["application/json"]
        return {
            media_type: build_media_type_object(schema) for media_type in media_types
        }

    def _static_response(
        self,
        status_code: str,
        extra: dict[str, list[ErrorResponse]],
        headers: Schema | None = None,
    ) -> Schema:
        """Return the response object of a status with a fixed envelope."""
        error = merged(
            status_code, STATIC_ERRORS.get(status_code), extra.get(status_code, ())
        )
        schema = envelope_schema(
            self._type_ref(error.type_enum),
            code={"type": "string", "enum": list(error.codes)},
            attr=self._null_enum(),
        )
        schema["example"] = {
            "type": TYPE_ENUMS[error.type_enum],
            "errors": [{"code": error.codes[0], "detail": error.example, "attr": None}],
        }
        ref = self._register(error.component_name, schema)
        response: Schema = {
            "description": error.description,
            "content": self._content(ref),
        }
        if headers:
            response["headers"] = headers
        return response

    def _bad_request_response(self, extra: dict[str, list[ErrorResponse]]) -> Schema:
        """Return the 400 response: a validation envelope or a parse error."""
        parse_error = self._static_response("400", extra)
        serializer = force_instance(self.get_request_serializer())  # type: ignore[no-untyped-call]
        if not isinstance(serializer, fields.Field):
            return parse_error
        attrs, codes = input_errors(serializer, api_settings.NON_FIELD_ERRORS_KEY)
        name = f"{camel_case(self.get_operation_id())}ValidationError"
        validation = self._register(
            name,
            envelope_schema(
                self._type_ref("ValidationErrorTypeEnum"),
                code={"type": "string", "enum": sorted(codes)},
                attr=self._attr(name, attr_schema(attrs)),
            ),
        )
        parse_ref = next(iter(parse_error["content"].values()))["schema"]
        return {
            "description": "The input is invalid or could not be parsed.",
            "content": self._content({"oneOf": [validation, parse_ref]}),
        }

    def _attr(self, envelope: str, schema: Schema) -> Schema:
        """Return the schema of ``attr``: one of the input's paths, or ``null``.

        An enum of paths is a component of its own, ``<envelope>AttrEnum``, beside the
        null enum: an inline enum that also allows ``null`` makes client generators
        emit several copies of one enum class.
        """
        if "enum" not in schema:
            return append_meta(schema, {"nullable": True})
        paths = self._register(f"{envelope}AttrEnum", schema)
        return {"oneOf": [paths, self._null_enum()]}

    def _null_enum(self) -> Schema:
        """Return a reference to the enum of ``null``, drf-spectacular's ``NullEnum``."""
        compliant = is_jsonschema_compliant()  # type: ignore[no-untyped-call]
        schema = {"type": "null"} if compliant else {"enum": [None]}
        return self._register(f"Null{spectacular_settings.ENUM_SUFFIX}", schema)

    def _type_ref(self, name: str) -> Schema:
        """Return a reference to one of the three ``type`` enums."""
        return self._register(name, {"type": "string", "enum": [TYPE_ENUMS[name]]})

    def _register(self, name: str, schema: Schema) -> Schema:
        """Register a schema component once and return a reference to it."""
        component = ResolvedComponent(  # type: ignore[no-untyped-call]
            name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
        )
        self.registry.register_on_missing(component)
        ref: Schema = component.ref
        return ref
