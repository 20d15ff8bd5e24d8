"""drf-spectacular integration: the error envelope in every operation's responses.

``build_settings`` sets ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` to
:class:`AutoSchema`. Each operation then documents the error statuses it can answer
with, each as the envelope of :mod:`django_strict_core.exceptions`:

- ``400`` where a request body is parsed and validated: the ``validation_error``
  envelope (``attr`` and ``code`` enums from the request serializer) or a
  ``client_error`` (``parse_error``, ``bad_request``); and where query parameters
  are validated (any query parameter but the paginator's page or cursor, such as
  ``page_size`` or a filter): the ``validation_error`` envelope about them;
- ``401`` where the first authenticator sends a ``WWW-Authenticate`` challenge;
  ``403`` where a permission can refuse, a failed authentication is answered with
  403, or session authentication checks CSRF;
- ``404`` where the path has parameters or the list is paginated;
- ``429`` where throttles apply (with ``Retry-After``);
- ``500`` everywhere.

Responses declared with ``@extend_schema(responses=...)`` win over these.

An operation that anonymous clients may call (its permissions allow it, including
this package's ``ReadOnly`` and ``IsStaffOrReadOnly`` and compositions with ``|``,
``&`` and ``~``) lists ``{}`` among its security requirements: authentication is
optional there, not required.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import (
    ResolvedComponent,
    append_meta,
    build_media_type_object,
    force_instance,
)
from rest_framework import fields, permissions, serializers, validators
from rest_framework.authentication import SessionAuthentication
from rest_framework.settings import api_settings

from django_strict_core import permissions as strict_permissions
from django_strict_core.exceptions import exception_handler

if TYPE_CHECKING:
    from collections.abc import Iterable

    from drf_spectacular.plumbing import ComponentRegistry

    AnyField = fields.Field[Any, Any, Any, Any]

Schema = dict[str, Any]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Codes of DRF's fields, which query parameters are usually validated with.
QUERY_CODES = (
    "blank",
    "invalid",
    "invalid_choice",
    "max_length",
    "max_string_length",
    "max_value",
    "min_length",
    "min_value",
    "null",
    "required",
)
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
INDEX = r"\d+"
KEY = r".*"
MAX_INPUT_DEPTH = 32

STATIC_ERRORS: dict[str, tuple[str, str, tuple[str, ...], str, str]] = {
    # status: (component, type component, codes, example detail, description)
    "400": (
        "ClientErrorResponse400",
        "ClientErrorTypeEnum",
        ("parse_error", "bad_request"),
        "JSON parse error - Expecting value: line 1 column 1 (char 0)",
        "The request body could not be parsed.",
    ),
    "401": (
        "ErrorResponse401",
        "ClientErrorTypeEnum",
        ("not_authenticated", "authentication_failed"),
        "Authentication credentials were not provided.",
        "Authentication is required or the credentials are invalid.",
    ),
    "403": (
        "ErrorResponse403",
        "ClientErrorTypeEnum",
        ("permission_denied", "not_authenticated", "authentication_failed"),
        "You do not have permission to perform this action.",
        "The request is not allowed.",
    ),
    "404": (
        "ErrorResponse404",
        "ClientErrorTypeEnum",
        ("not_found",),
        "Not found.",
        "The resource or page does not exist.",
    ),
    "429": (
        "ErrorResponse429",
        "ClientErrorTypeEnum",
        ("throttled",),
        "Request was throttled. Expected available in 30 seconds.",
        "Too many requests; retry after the given number of seconds.",
    ),
    "500": (
        "ErrorResponse500",
        "ServerErrorTypeEnum",
        ("error",),
        "A server error occurred.",
        "An unexpected server error.",
    ),
}

TYPE_ENUMS = {
    "ValidationErrorTypeEnum": "validation_error",
    "ClientErrorTypeEnum": "client_error",
    "ServerErrorTypeEnum": "server_error",
}


# Permissions that let anonymous clients through: always, or for safe methods only.
ANONYMOUS_ALWAYS: tuple[type[permissions.BasePermission], ...] = (permissions.AllowAny,)
ANONYMOUS_READS: tuple[type[permissions.BasePermission], ...] = (
    permissions.IsAuthenticatedOrReadOnly,
    strict_permissions.ReadOnly,
    strict_permissions.IsStaffOrReadOnly,
)


def allows_anonymous(permission: object, method: str) -> bool:
    """Tell whether a permission certainly lets an anonymous request through.

    Known permissions are DRF's ``AllowAny`` and ``IsAuthenticatedOrReadOnly`` and
    this package's ``ReadOnly`` and ``IsStaffOrReadOnly``; ``|`` and ``&``
    compositions of them are followed. Anything else counts as refusing.

    Args:
        permission: A permission instance (or a composition of them).
        method: The HTTP method.

    Returns:
        Whether the request needs no authentication.
    """
    if isinstance(permission, ANONYMOUS_ALWAYS):
        return True
    if isinstance(permission, ANONYMOUS_READS):
        return method in permissions.SAFE_METHODS
    # The stubs do not declare the operands of a composition.
    composed: Any = permission
    if isinstance(permission, permissions.OR):
        return allows_anonymous(composed.op1, method) or allows_anonymous(
            composed.op2, method
        )
    if isinstance(permission, permissions.AND):
        return allows_anonymous(composed.op1, method) and allows_anonymous(
            composed.op2, method
        )
    return False


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's ``AutoSchema`` plus the error responses of each operation."""

    registry: ComponentRegistry

    def get_auth(self) -> list[Schema]:
        """Return the security requirements; ``{}`` where anonymous calls are allowed.

        Returns:
            drf-spectacular's requirements, plus ``{}`` when every permission of the
            view lets an anonymous request through (see :func:`allows_anonymous`).
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

        Args:
            path: The operation's path template.
            path_regex: The path's regular expression.
            path_prefix: The common prefix of all paths.
            method: The HTTP method.
            registry: The schema's component registry.

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
            ``True`` when the view's exception handler is ``exception_handler``.
        """
        return bool(self.view.get_exception_handler() is exception_handler)

    def get_error_responses(self, operation: Schema) -> dict[str, Schema]:
        """Return the error responses this operation can answer with.

        Args:
            operation: The operation built so far (its parameters and body).

        Returns:
            Response objects by status code.
        """
        responses: dict[str, Schema] = {}
        if self.method in BODY_METHODS and "requestBody" in operation:
            responses["400"] = self._bad_request_response()
        elif query := self._validated_query_parameters(operation):
            responses["400"] = self._query_error_response(query)
        auth_failure_status, forbidden = self._auth_statuses()
        if auth_failure_status == "401":
            responses["401"] = self._static_response(
                "401",
                headers={
                    "WWW-Authenticate": {
                        "schema": {"type": "string"},
                        "description": "The authentication scheme to use.",
                    }
                },
            )
        if forbidden or auth_failure_status == "403":
            responses["403"] = self._static_response("403")
        if self._may_not_find(operation):
            responses["404"] = self._static_response("404")
        if self.view.get_throttles():
            responses["429"] = self._static_response(
                "429",
                headers={
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before retrying.",
                    }
                },
            )
        responses["500"] = self._static_response("500")
        return responses

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

    def _query_error_response(self, names: list[str]) -> Schema:
        """Return the 400 response about invalid query parameters."""
        name = f"{camel_case(self.get_operation_id())}QueryError"
        validation = self._register(
            name,
            envelope_schema(
                self._type_ref("ValidationErrorTypeEnum"),
                code={"type": "string", "enum": list(QUERY_CODES)},
                attr=append_meta(
                    attr_schema((parameter,) for parameter in names),
                    {"nullable": True},
                ),
            ),
        )
        return {
            "description": "A query parameter is invalid.",
            "content": self._content(validation),
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
        self, status_code: str, headers: Schema | None = None
    ) -> Schema:
        """Return the response object of a status with a fixed envelope."""
        name, type_enum, codes, example, description = STATIC_ERRORS[status_code]
        schema = envelope_schema(
            self._type_ref(type_enum),
            code={"type": "string", "enum": list(codes)},
            attr=append_meta({"type": "string", "enum": [None]}, {"nullable": True}),
        )
        schema["example"] = {
            "type": TYPE_ENUMS[type_enum],
            "errors": [{"code": codes[0], "detail": example, "attr": None}],
        }
        ref = self._register(name, schema)
        response: Schema = {"description": description, "content": self._content(ref)}
        if headers:
            response["headers"] = headers
        return response

    def _bad_request_response(self) -> Schema:
        """Return the 400 response: a validation envelope or a parse error."""
        parse_error = self._static_response("400")["content"]
        serializer = force_instance(self.get_request_serializer())  # type: ignore[no-untyped-call]
        if not isinstance(serializer, fields.Field):
            return {
                "description": STATIC_ERRORS["400"][4],
                "content": parse_error,
            }
        attrs, codes = input_errors(serializer, api_settings.NON_FIELD_ERRORS_KEY)
        name = f"{camel_case(self.get_operation_id())}ValidationError"
        validation = self._register(
            name,
            envelope_schema(
                self._type_ref("ValidationErrorTypeEnum"),
                code={"type": "string", "enum": sorted(codes)},
                attr=append_meta(attr_schema(attrs), {"nullable": True}),
            ),
        )
        parse_ref = next(iter(parse_error.values()))["schema"]
        return {
            "description": "The input is invalid or could not be parsed.",
            "content": self._content({"oneOf": [validation, parse_ref]}),
        }

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


def envelope_schema(type_ref: Schema, *, code: Schema, attr: Schema) -> Schema:
    """Return the schema of an envelope whose errors have the given code and attr.

    Args:
        type_ref: A reference to the ``type`` enum.
        code: The schema of ``errors[].code``.
        attr: The schema of ``errors[].attr``.

    Returns:
        An object schema.
    """
    return {
        "type": "object",
        "properties": {
            "type": type_ref,
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "code": code,
                        "detail": {"type": "string"},
                        "attr": attr,
                    },
                    "required": ["code", "detail", "attr"],
                },
            },
        },
        "required": ["type", "errors"],
    }


def attr_schema(attrs: Iterable[tuple[str, ...]]) -> Schema:
    """Return the schema of ``attr`` for a set of input paths.

    Static paths become an ``enum``; paths with list indices or dict keys become a
    ``pattern``.

    Args:
        attrs: Paths as tuples of segments; :data:`INDEX` and :data:`KEY` stand for
            a list index and a dict key.

    Returns:
        A string schema (``null`` is added by the caller).
    """
    paths = list(dict.fromkeys(attrs))
    if not any(segment in (INDEX, KEY) for path in paths for segment in path):
        return {"type": "string", "enum": [*(".".join(path) for path in paths), None]}
    alternatives = "|".join(
        r"\.".join(
            segment if segment in (INDEX, KEY) else re.escape(segment)
            for segment in path
        )
        for path in paths
    )
    return {"type": "string", "pattern": f"^(?:{alternatives})$"}


def input_errors(
    serializer: AnyField, non_field_errors_key: str
) -> tuple[list[tuple[str, ...]], set[str]]:
    """Return the ``attr`` paths and the codes a request serializer can report.

    Codes come from the fields' ``error_messages`` keys (where ``self.fail(code)``
    finds its messages, so a serializer declaring its own codes there gets them
    documented), their validators' codes, and ``unique`` for DRF's uniqueness
    validators.

    Args:
        serializer: The request serializer or field.
        non_field_errors_key: DRF's ``NON_FIELD_ERRORS_KEY``.

    Returns:
        The paths (as tuples of segments) and the set of codes.
    """
    paths: list[tuple[str, ...]] = []
    codes: set[str] = {"invalid"}
    stack: list[tuple[tuple[str, ...], AnyField]] = [((), serializer)]
    while stack:
        prefix, field = stack.pop()
        if prefix:
            paths.append(prefix)
        codes.update(str(key) for key in field.error_messages)
        codes.update(_validator_codes(field))
        if len(prefix) >= MAX_INPUT_DEPTH:
            continue
        if isinstance(field, serializers.ListSerializer):
            paths.append((*prefix, non_field_errors_key))
            stack.append(((*prefix, INDEX), field.child))  # type: ignore[arg-type]
        elif isinstance(field, serializers.Serializer):
            paths.append((*prefix, non_field_errors_key))
            writable = [
                (name, child)
                for name, child in field.fields.items()
                if not child.read_only
            ]
            stack.extend(((*prefix, name), child) for name, child in reversed(writable))
        elif isinstance(field, fields.ListField):
            stack.append(((*prefix, INDEX), field.child))
        elif isinstance(field, fields.DictField):
            stack.append(((*prefix, KEY), field.child))
        elif isinstance(field, serializers.ManyRelatedField):
            codes.update(str(key) for key in field.child_relation.error_messages)
    return paths, codes


def _validator_codes(field: AnyField) -> set[str]:
    """Return the codes of a field's validators."""
    found: set[str] = set()
    for validator in getattr(field, "validators", ()):
        if isinstance(
            validator,
            (
                validators.UniqueValidator,
                validators.UniqueTogetherValidator,
                validators.BaseUniqueForValidator,
            ),
        ):
            found.add("unique")
        code = getattr(validator, "code", None)
        if isinstance(code, str):
            found.add(code)
    return found


def camel_case(value: str) -> str:
    """Return ``value`` in CamelCase: ``widgets_create`` -> ``WidgetsCreate``.

    Args:
        value: An operation id.

    Returns:
        The CamelCase name.
    """
    return "".join(
        part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", value)
    )
