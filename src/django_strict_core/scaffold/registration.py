"""Register a new app in a project's ``config/settings.py`` and ``config/urls.py``.

The edits are made on the source text at positions found with :mod:`ast`, so comments
and formatting elsewhere stay as they are: the app's dotted path goes after the last
entry of ``INSTALLED_APPS``, and ``path("api/", include("<app>.urls"))`` after the last
project app's route in ``urlpatterns`` (or after the last route). Each function only
returns the new text; nothing is written when one of them fails.
"""

from __future__ import annotations

import ast
import io


class RegistrationError(Exception):
    """A settings or URL module is not in a shape the app can be added to."""


def add_installed_app(source: str, app: str) -> str:
    """Return ``source`` with ``app`` added at the end of ``INSTALLED_APPS``.

    Args:
        source: The text of ``config/settings.py``.
        app: The app's dotted path, e.g. ``apps.orders``.

    Returns:
        The new text.

    Raises:
        RegistrationError: When there is no ``INSTALLED_APPS`` list or tuple, or the
            app is in it already.
    """
    entries = _sequence_assigned(source, "INSTALLED_APPS")
    if entries is None:
        raise RegistrationError("it assigns no list or tuple to INSTALLED_APPS")
    if any(isinstance(e, ast.Constant) and e.value == app for e in entries):
        raise RegistrationError(f"{app!r} is in INSTALLED_APPS already")
    return _insert_after(source, entries, repr(app).replace("'", '"'))


def add_api_route(source: str, app: str) -> str:
    """Return ``source`` with the app's routes mounted under ``api/`` in ``urlpatterns``.

    Args:
        source: The text of ``config/urls.py``.
        app: The app's dotted path, e.g. ``apps.orders``.

    Returns:
        The new text.

    Raises:
        RegistrationError: When there is no ``urlpatterns`` list, ``path`` or
            ``include`` is not imported, or the app's URLs are included already.
    """
    tree = ast.parse(source)
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    missing = sorted({"include", "path"} - imported)
    if missing:
        raise RegistrationError(
            f"it does not import {' and '.join(missing)} from django.urls"
        )
    entries = _sequence_assigned(source, "urlpatterns")
    if entries is None:
        raise RegistrationError("it assigns no list to urlpatterns")
    module = f"{app}.urls"
    if any(module in _included(entry) for entry in entries):
        raise RegistrationError(f"urlpatterns include {module!r} already")
    project_routes = [
        index
        for index, entry in enumerate(entries)
        if any(name.startswith("apps.") for name in _included(entry))
    ]
    after = entries[: project_routes[-1] + 1] if project_routes else entries
    return _insert_after(source, after, f'path("api/", include("{module}"))')


def _sequence_assigned(source: str, name: str) -> list[ast.expr] | None:
    """Return the elements of the list or tuple last assigned to ``name``, if any."""
    found: list[ast.expr] | None = None
    for node in ast.parse(source).body:
        value: ast.expr | None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        else:
            continue
        named = any(isinstance(t, ast.Name) and t.id == name for t in targets)
        if named and isinstance(value, (ast.List, ast.Tuple)) and value.elts:
            found = list(value.elts)
    return found


def _included(entry: ast.expr) -> list[str]:
    """Return the modules an ``include("...")`` inside a route entry names."""
    return [
        node.args[0].value
        for node in ast.walk(entry)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "include"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def _insert_after(source: str, entries: list[ast.expr], text: str) -> str:
    """Insert ``text`` as a new element after the last of ``entries``.

    In a sequence written one element per line the element gets a line of its own,
    indented like the others; otherwise it follows the last element on its line.
    """
    first, last = entries[0], entries[-1]
    # Split where Python's tokenizer counts lines (\n, \r\n and \r).
    lines = io.StringIO(source, newline="").readlines()
    row = (last.end_lineno or last.lineno) - 1
    # ast's columns count UTF-8 bytes.
    end = lines[row].encode()
    column = last.end_col_offset or 0
    head, rest = end[:column].decode(), end[column:].decode()
    before_first = lines[first.lineno - 1].encode()[: first.col_offset]
    own_line = before_first.strip() == b""
    if first.lineno == last.lineno and not own_line:
        lines[row] = f"{head}, {text}{rest}"
        return "".join(lines)
    if not rest.lstrip().startswith(","):
        lines[row] = f"{head},{rest}"
    indent = len(lines[last.lineno - 1].encode()[: last.col_offset].decode())
    newline = lines[row][len(lines[row].rstrip("\r\n")) :] or "\n"
    lines.insert(row + 1, f"{' ' * indent}{text},{newline}")
    return "".join(lines)
