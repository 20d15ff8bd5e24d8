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

Responses declared with ``@extend_schema(responses=...)`` win over these. The errors
an ``ExceptionHandler`` subclass declares in ``documented_errors`` (see
:class:`ErrorResponse`) are added too.

An operation that anonymous clients may call (its permissions allow it, including
this package's ``ReadOnly`` and ``IsStaffOrReadOnly`` and compositions with ``|``,
``&`` and ``~``) lists ``{}`` among its security requirements: authentication is
optional there, not required.
"""

from django_strict_core.openapi.components import (
    STATIC_ERRORS,
    ErrorResponse,
    attr_schema,
    camel_case,
    envelope_schema,
)
from django_strict_core.openapi.inputs import input_errors
from django_strict_core.openapi.schema import AutoSchema
from django_strict_core.openapi.security import allows_anonymous

__all__ = [
    "STATIC_ERRORS",
    "AutoSchema",
    "ErrorResponse",
    "allows_anonymous",
    "attr_schema",
    "camel_case",
    "envelope_schema",
    "input_errors",
]
