"""A project made by ``startproject`` builds and runs as the example's image does.

The generated project's container files are the example's, derived mechanically
(``tests/scaffold/example.py`` in the repository); this module builds them for real.
The project is rendered from the library's wheel, built from the same copy of the
sources, and locked against it: the lock names the wheel's directory as the
package index, and the build sees that directory at the same path, the one
difference from a build against the real index. The generated ``Dockerfile`` is
built unchanged, on the same stand-in bases.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.containers import podman
from tests.e2e.stack import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

NAME = "shop"
APP = Path("/app") / NAME
VENV_PYTHON = str(APP / ".venv/bin/python")
# Asked from inside the container: an unknown API route, through the app's own port.
REQUEST = """
import json, os, urllib.error, urllib.request
request = urllib.request.Request(
    f"http://127.0.0.1:{os.environ['PORT']}/api/no-such-route/",
    headers={"Host": "localhost", "X-Forwarded-Proto": "https",
             "Accept": "application/json", "X-Request-ID": "generated-image-1"},
)
try:
    urllib.request.urlopen(request, timeout=10)
except urllib.error.HTTPError as error:
    print(json.dumps({"status": error.code, "body": json.loads(error.read())}))
"""


@pytest.fixture(scope="module")
def generated(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project rendered and locked by ``startproject`` from the copy's wheel."""
    root = tmp_path_factory.mktemp("generated")
    wheels = root / "wheels"
    subprocess.run(
        ["uv", "build", "--wheel", "--quiet", "--out-dir", str(wheels), str(sources.parent)],
        check=True, timeout=600,
    )  # fmt: skip
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "VIRTUAL_ENV", "UV_"))
    }
    env.update(
        UV_FIND_LINKS=str(wheels), UV_PYTHON=sys.executable, UV_PYTHON_DOWNLOADS="never"
    )
    subprocess.run(
        [sys.executable, "-m", "django_strict_core", "startproject", NAME],
        cwd=root, env=env, check=True, timeout=600, capture_output=True, text=True,
    )  # fmt: skip
    project = root / NAME
    assert f'registry = "{wheels}"' in (project / "uv.lock").read_text()
    return project


@pytest.fixture(scope="module")
def generated_image(base_images: list[str], generated: Path) -> Iterator[str]:
    """The generated project's runtime image."""
    wheels = generated.parent / "wheels"
    tag = f"localhost/strict-containers-test/generated:{podman.RUN_ID}"
    build = podman.build(generated, tag, f"--volume={wheels}:{wheels}:ro")
    assert build.returncode == 0, build.log
    size = int(podman.inspect("image", tag)["Size"])
    podman.FIGURES["generated project's image size"] = f"{size / 1e6:.1f} MB"
    podman.FIGURES["generated project's image build"] = f"{build.seconds:.1f} s"
    yield tag
    podman.podman("rmi", "--force", tag, check=False)


@pytest.fixture(scope="module")
def generated_serving(
    generated_image: str, production_env: dict[str, str]
) -> Iterator[str]:
    """The generated image serving on a port that is not 8000, nothing writable."""
    port = str(free_port())
    name = podman.run_detached(
        generated_image, {**production_env, "PORT": port},
        "--read-only", "--read-only-tmpfs=false",
    )  # fmt: skip
    seconds = podman.wait_for_health(name, "healthy")
    podman.FIGURES["generated project healthy after start"] = f"{seconds:.1f} s"
    yield name
    podman.podman("rm", "--force", "--time=5", name, check=False)


def test_the_runtime_has_no_shell_and_runs_as_nonroot(generated_image: str) -> None:
    config = podman.inspect("image", generated_image)["Config"]
    shell = podman.podman(
        "run",
        "--rm",
        "--entrypoint=/bin/sh",
        generated_image,
        "-c",
        "true",
        check=False,
    )
    pip = podman.podman(
        "run", "--rm", f"--entrypoint={VENV_PYTHON}", generated_image, "-m", "pip",
        check=False,
    )  # fmt: skip

    assert config["User"] == "nonroot"
    assert config["Entrypoint"][0] == str(APP / ".venv/bin/gunicorn")
    assert shell.returncode != 0
    assert "No module named pip" in pip.stderr


def test_the_project_passes_the_deploy_checks_inside_the_image(
    generated_image: str, production_env: dict[str, str]
) -> None:
    env_args = [f"--env={key}={value}" for key, value in production_env.items()]
    result = podman.podman(
        "run", "--rm", f"--label={podman.LABEL}", "--network=slirp4netns:allow_host_loopback=true",
        f"--entrypoint={VENV_PYTHON}", *env_args, generated_image,
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr


def test_it_answers_errors_in_the_envelope_and_logs_json(
    generated_serving: str,
) -> None:
    answer = podman.podman("exec", generated_serving, VENV_PYTHON, "-c", REQUEST).stdout
    lines = podman.podman("logs", generated_serving).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    access = [
        record for record in records if record.get("request_id") == "generated-image-1"
    ]

    assert json.loads(answer)["status"] == 404
    assert json.loads(answer)["body"]["errors"][0]["code"] == "not_found"
    assert access, lines[-5:]
    assert access[-1]["status"] == 404
