"""Walk ``ROOT_URLCONF`` and find every DRF view it routes to.

Nested ``include()``\\ s, router URLs, ``@api_view`` functions and viewsets are all
found: DRF's ``as_view()`` leaves the view class on the callback as ``cls`` and the
per-route keyword arguments (a router's actions, ``@action(...)`` options) as
``initkwargs``; decorators built with :func:`functools.wraps` keep both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from rest_framework.views import APIView

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from django.urls import URLPattern


@dataclass(frozen=True)
class Route:
    """One URL pattern that ends at a DRF view.

    Attributes:
        view: The view class (for ``@api_view``, the class DRF generated).
        pattern: The full pattern, prefixes of enclosing ``include()``\\ s first.
        name: The URL name, if any.
        initkwargs: Keyword arguments given to ``as_view()`` for this route.
    """

    view: type[APIView]
    pattern: str
    name: str | None = None
    initkwargs: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """Return the pattern and name as shown in check messages.

        Returns:
            E.g. ``'api/items/' (name 'item-list')``.
        """
        if self.name:
            return f"{self.pattern!r} (name {self.name!r})"
        return repr(self.pattern)


def api_routes() -> list[Route]:
    """Return every route of ``ROOT_URLCONF`` that ends at a DRF view.

    Returns:
        The routes in URLconf order; empty when ``ROOT_URLCONF`` is not set.
    """
    if not getattr(settings, "ROOT_URLCONF", None):
        return []
    return list(iter_routes(get_resolver().url_patterns))


def iter_routes(
    patterns: Iterable[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[Route]:
    """Yield the DRF routes among ``patterns``, descending into ``include()``\\ s.

    Yields:
        One :class:`Route` per URL pattern whose view is a DRF ``APIView``.
    """
    for entry in patterns:
        text = prefix + pattern_text(entry)
        if isinstance(entry, URLResolver):
            yield from iter_routes(entry.url_patterns, text)
            continue
        view = view_class(entry.callback)
        if view is not None:
            yield Route(
                view=view,
                pattern=text,
                name=entry.name,
                initkwargs=getattr(entry.callback, "initkwargs", None) or {},
            )


def pattern_text(entry: URLPattern | URLResolver) -> str:
    """Return a pattern's text, regex anchors removed so prefixes join cleanly.

    Returns:
        E.g. ``items/`` for DRF's router regex ``^items/$``.
    """
    text = str(entry.pattern)
    if isinstance(entry.pattern, RegexPattern):
        text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    return text


def view_class(callback: Any) -> type[APIView] | None:
    """Return the DRF view class behind a URL callback, or ``None`` for other views.

    Returns:
        The ``APIView`` subclass, or ``None`` for plain Django views and functions.
    """
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if isinstance(cls, type) and issubclass(cls, APIView):
        return cls
    return None
