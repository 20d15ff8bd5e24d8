"""Clients generated from the example's schema work, and read every error it answers.

openapi-python-client and openapi-typescript generate clients from the schema the
running example serves; the Python client imports and passes ``mypy --strict``, the
TypeScript types compile, and every error the example answers (each status, each
envelope the schema documents) decodes into the generated model the schema names for
it, and type-checks against the generated TypeScript type.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import TYPE_CHECKING, Any

import pytest

from tests.clients import tools
from tests.clients.cases import CASES, PASSWORD, World, register
from tests.clients.tools import unavailable

try:
    from openapi_spec_validator import validate
except ImportError:  # tox run -e clients installs it beside the project
    validate = None

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

    from tests.clients.cases import Case

pytestmark = pytest.mark.integration
ERROR_COMPONENTS = ("ErrorResponse", "ClientErrorResponse")


def components_of(schema: dict[str, Any], response: dict[str, Any]) -> list[str]:
    """Return the names of the components a documented response's JSON body may be."""
    body = response["content"]["application/json"]["schema"]
    options = body.get("oneOf", [body])
    return [str(option["$ref"]).rsplit("/", 1)[-1] for option in options]


def error_responses(schema: dict[str, Any]) -> dict[tuple[str, str, int], list[str]]:
    """Return every documented error response's components, by path, method, status."""
    return {
        (path, method, int(status)): components_of(schema, response)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if int(status) >= 400
    }


@pytest.fixture(scope="module")
def world(running: Any, client_modules: dict[str, ModuleType]) -> World:
    """The generated client, signed in as a user it registered itself."""
    partial = World(
        modules=client_modules,
        running=running,
        anonymous=None,
        signed_in=None,
        article_id=0,
    )
    partial.anonymous = partial.client(running.stack.https)
    username = f"client{secrets.token_hex(3)}"
    created = register(partial, username)
    assert created.status_code == 201, created.content
    issued = partial.operation("auth_token_create").sync_detailed(
        client=partial.anonymous,
        body=partial.model("TokenRequestRequest")(username=username, password=PASSWORD),
    )
    assert issued.status_code == 200, issued.content
    partial.signed_in = partial.authenticated(running.stack.https, issued.parsed.token)
    article = partial.operation("articles_create").sync_detailed(
        client=partial.signed_in,
        body=partial.model("ArticleInputRequest")(title=f"By {username}"),
    )
    assert article.status_code == 201, article.content
    partial.article_id = article.parsed.id
    return partial


@pytest.fixture(scope="module")
def decoded() -> list[tuple[Case, int, Any]]:
    """What the error cases decoded: the case, the status, the parsed model."""
    return []


def test_the_served_schema_passes_openapi_spec_validator(
    schema: dict[str, Any],
) -> None:
    if validate is None:
        unavailable("openapi-spec-validator is not installed (tox run -e clients)")
    validate(schema)


def test_request_bodies_are_json_only(schema: dict[str, Any]) -> None:
    media_types = {
        media
        for item in schema["paths"].values()
        for operation in item.values()
        for media in operation.get("requestBody", {}).get("content", {})
    }

    assert media_types == {"application/json"}


def test_registration_needs_no_authentication(schema: dict[str, Any]) -> None:
    assert {} in schema["paths"]["/api/users/"]["post"]["security"]


def test_the_python_client_generates_without_warnings(
    python_client: tuple[Path, str],
) -> None:
    root, output = python_client

    assert (root / tools.PACKAGE / "__init__.py").exists()
    assert "Warning" not in output, output
    assert "Error" not in output, output


def test_every_module_of_the_python_client_imports(
    client_modules: dict[str, ModuleType],
) -> None:
    operations = [name for name in client_modules if ".api." in name]

    assert len(operations) >= 9, operations


def test_the_python_client_passes_mypy_strict(python_client: tuple[Path, str]) -> None:
    root, _ = python_client
    if not tools.has_mypy():
        unavailable("mypy is not installed (tox run -e clients)")

    assert "Success" in tools.mypy_strict(root / tools.PACKAGE)


def test_each_envelope_is_one_model(client_modules: dict[str, ModuleType]) -> None:
    # An attr that was an inline, nullable enum listing null came out as three
    # identical enum classes (attr_type_1, attr_type_2_type_1, attr_type_3_type_1).
    models = [name for name in client_modules if ".models." in name]

    assert not [name for name in models if re.search(r"_type_\d", name)]
    assert any(name.endswith("_validation_error_attr_enum") for name in models)


def test_the_typescript_types_compile(
    schema_file: Path, typescript_tools: Path
) -> None:
    types = typescript_tools / "api.d.ts"
    tools.run(
        [
            tools.node_tool(typescript_tools, "openapi-typescript"),
            str(schema_file),
            "--output",
            str(types),
        ],
        typescript_tools,
    )

    tools.run(
        [tools.node_tool(typescript_tools, "tsc"), "--noEmit", "--strict", str(types)],
        typescript_tools,
    )


def test_registration_sends_the_documented_default(world: World) -> None:
    me = world.operation("users_me_retrieve").sync_detailed(client=world.signed_in)

    assert me.status_code == 200
    assert me.parsed.display_name == ""


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_an_error_decodes_into_its_documented_model(
    case: Case,
    world: World,
    schema: dict[str, Any],
    decoded: list[tuple[Case, int, Any]],
) -> None:
    documented = schema["paths"][case.path][case.method]["responses"]

    answer = case.send(world)

    status = int(answer.status_code)
    if case.status is None:
        assert status >= 500, answer.content
    else:
        assert status == case.status, answer.content
    assert str(status) in documented, f"{status} is not documented"
    body = json.loads(answer.content)
    assert type(answer.parsed).__name__ in components_of(
        schema, documented[str(status)]
    )
    assert answer.parsed.to_dict() == body
    if status == 405:
        assert "TRACE" in case.name or answer.headers["Allow"]
    decoded.append((case, status, answer.parsed))


def test_every_documented_error_model_decoded_a_real_body(
    world: World, schema: dict[str, Any], decoded: list[tuple[Case, int, Any]]
) -> None:
    documented = {name for names in error_responses(schema).values() for name in names}
    seen = {type(parsed).__name__ for _case, _status, parsed in decoded}
    statuses = {status for _key, _path, status in error_responses(schema)}

    assert documented - seen == set()
    assert statuses - {status for _case, status, _parsed in decoded} == set()


def test_real_error_bodies_type_check_against_the_typescript_types(
    world: World,
    schema_file: Path,
    typescript_tools: Path,
    decoded: list[tuple[Case, int, Any]],
) -> None:
    assert decoded
    lines = ['import type { paths } from "./api";']
    for number, (case, status, parsed) in enumerate(decoded):
        body_type = (
            f'paths["{case.path}"]["{case.method}"]["responses"][{status}]'
            '["content"]["application/json"]'
        )
        lines.append(
            f"export const body{number}: {body_type} = {json.dumps(parsed.to_dict())};"
        )
    # The check can fail: a code no operation documents is refused.
    refused = (
        'export const refused: paths["/api/users/me/"]["get"]["responses"][405]'
        '["content"]["application/json"] = {"type": "client_error", "errors": '
        '[{"code": "teapot", "detail": "", "attr": null}]};'
    )

    def compile_with(extra: str) -> None:
        (typescript_tools / "bodies.ts").write_text("\n".join([*lines, extra]) + "\n")
        tools.run(
            [
                tools.node_tool(typescript_tools, "tsc"),
                "--noEmit",
                "--strict",
                "--module",
                "esnext",
                "--moduleResolution",
                "bundler",
                "bodies.ts",
            ],
            typescript_tools,
        )

    tools.run(
        [
            tools.node_tool(typescript_tools, "openapi-typescript"),
            str(schema_file),
            "--output",
            str(typescript_tools / "api.d.ts"),
        ],
        typescript_tools,
    )
    compile_with("")
    with pytest.raises(tools.ToolError, match="teapot"):
        compile_with(refused)


def test_an_undocumented_code_does_not_decode(world: World) -> None:
    body = {
        "type": "client_error",
        "errors": [{"code": "teapot", "detail": "", "attr": None}],
    }

    with pytest.raises(ValueError, match="teapot"):
        world.model("ErrorResponse405").from_dict(body)
