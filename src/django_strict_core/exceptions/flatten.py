"""Flattening of nested DRF error details into a list of envelope errors.

A pure function: no settings, no I/O. It walks the tree with an explicit stack, so
it has no recursion limit, and it runs in time linear in the size of its output.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS

if TYPE_CHECKING:
    from django_strict_core.exceptions.payloads import Error

# A frame is (depth of the parent's path, the node's own path segment or None, node).
# A segment of None means the node shares its parent's path: a message in a list.
_Frame = tuple[int, "str | None", object]


def flatten_errors(
    detail: object,
    *,
    default_code: str = "invalid",
    non_field_errors_key: str = "non_field_errors",
) -> list[Error]:
    """Flatten an error detail tree into envelope errors with dotted ``attr`` paths.

    The shapes that DRF and Django produce are all understood:

    - ``{"email": ["..."]}`` gives ``attr="email"``;
    - nested serializers and dict fields give ``address.city``, ``tags.<key>``;
    - ``many=True`` lists in both shapes: the list of DRF before 3.18
      (``[{}, {"name": [...]}]``) and the dict by index of 3.18+ (``{1: {...}}``),
      both giving ``items.1.name``; a top-level list serializer gives ``0.name``;
    - Django's ``__all__`` becomes ``non_field_errors_key``;
    - a message that is not under any key gets ``attr=None``.

    Index ``0`` and the empty string are real path segments. The order of the
    errors follows the order of the tree.

    Args:
        detail: ``APIException.detail``: nested dicts, lists and tuples whose leaves
            are messages (``ErrorDetail`` or any object, rendered with ``str``).
        default_code: The code of a leaf without a ``code`` attribute.
        non_field_errors_key: What Django's ``__all__`` key is renamed to.

    Returns:
        One error per leaf, in tree order.
    """
    errors: list[Error] = []
    add = errors.append
    path: list[str] = []
    stack: list[_Frame] = [(0, None, detail)]
    pop, push = stack.pop, stack.append
    while stack:
        depth, segment, node = pop()
        if len(path) != depth:
            del path[depth:]
        if segment is not None:
            path.append(segment)
            depth += 1
        if isinstance(node, _SEQUENCES):
            for item in node:
                if not isinstance(item, str) and isinstance(item, _CONTAINERS):
                    break
            else:
                # The common case, a field's list of messages: one attr for all.
                attr = ".".join(path) if path else None
                for item in node:
                    code = getattr(item, "code", None)
                    add(
                        {
                            "code": str(code) if code else default_code,
                            "detail": str(item),
                            "attr": attr,
                        }
                    )
                continue
            for index in range(len(node) - 1, -1, -1):
                item = node[index]
                push(
                    (depth, str(index) if isinstance(item, _CONTAINERS) else None, item)
                )
        elif isinstance(node, dict) or (
            not isinstance(node, str) and isinstance(node, Mapping)
        ):
            for key, value in reversed(list(node.items())):
                name = key if type(key) is str else str(key)
                push(
                    (
                        depth,
                        non_field_errors_key if name == NON_FIELD_ERRORS else name,
                        value,
                    )
                )
        else:
            # A lone message: treated as a list holding it.
            push((depth, None, [node]))
    return errors


_SEQUENCES = (list, tuple)
_CONTAINERS = (Mapping, list, tuple)
