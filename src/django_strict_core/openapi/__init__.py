"""drf-spectacular integration: the error envelope in every operation's responses.

``build_settings`` sets ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` to
:class:`AutoSchema`. Each operation then documents the error statuses it can answer
with, each as the envelope of :mod:`django_strict_core.exceptions`:

- ``400`` everywhere: a ``client_error`` (``parse_error``, ``bad_request``), or
  where a request body is parsed and validated the ``validation_error`` envelope
  too (``attr`` and ``code`` enums from the request serializer), and where query
  parameters are validated (any query parameter but the paginator's page or cursor,
  such as ``page_size`` or a filter) the ``validation_error`` envelope about them;
- ``405`` (with ``Allow``), ``406``, and the server's ``408``, ``414`` and ``431``
  everywhere; ``413`` and ``415`` where the operation has a request body;
- ``401`` where the first authenticator sends a ``WWW-Authenticate`` challenge;
  ``403`` where a permission can refuse, a failed authentication is answered with
  403, or session authentication checks CSRF;
- ``404`` where the path has parameters or the list is paginated;
- ``429`` where throttles apply (with ``Retry-After``);
- ``500`` everywhere.

Responses declared with ``@extend_schema(responses=...)`` win over these. The errors
an ``ExceptionHandler`` subclass declares in ``documented_errors`` (see
:class:`ErrorResponse`) are added too.

An operation that anonymous clients may call lists ``{}`` among its security
requirements: authentication is optional there, not required. Its permissions say
so: DRF's ``AllowAny`` and ``IsAuthenticatedOrReadOnly``, any permission defining
``allows_anonymous(method)`` (:class:`AllowsAnonymous`, as this package's
``ReadOnly`` and ``IsStaffOrReadOnly`` do), and their compositions with ``|`` and
``&``.

Each envelope is one model for client generators: ``attr`` is ``null`` (the
``NullEnum`` component) or, where the input has fixed paths, one of the
``<envelope>AttrEnum`` component.
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
from django_strict_core.openapi.security import AllowsAnonymous, allows_anonymous

__all__ = [
    "STATIC_ERRORS",
    "AllowsAnonymous",
    "AutoSchema",
    "ErrorResponse",
    "allows_anonymous",
    "attr_schema",
    "camel_case",
    "envelope_schema",
    "input_errors",
]
