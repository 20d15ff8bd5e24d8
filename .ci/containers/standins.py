"""Stand-ins for the container images that cannot be pulled on the CI machine.

No container registry is reachable there; Debian's packages and the Python package
index are. Each image a Dockerfile or the compose file needs is built from those:

- ``debian:<suite>-slim``: a Debian root filesystem from mmdebstrap (``minbase``, the
  slim image's documentation excludes), tagged under the upstream name so that the
  Dockerfile builds unchanged;
- ``gcr.io/distroless/python3-debian13``: ``standins/distroless-python3.Containerfile``,
  distroless' package set extracted from Debian 13's packages, under the upstream name;
- ``ghcr.io/astral-sh/uv:<version>``: ``/uv`` and ``/uvx`` from the uv wheel of that
  version on the package index (the same binaries), under the upstream name;
- ``nginx:<tag>``: Debian 13's nginx (``standins/nginx.Containerfile``), under the
  upstream name because the Dockerfile's proxy stage starts from it;
- PostgreSQL and Redis for the compose stack, under their own names
  (``localhost/standin/postgres:debian13``, ``localhost/standin/redis:debian13``).

Every image carries the label ``org.strict-core.standin`` (a hash of what it was built
from), is rebuilt when that changes, and is removed with ``remove``. Usage::

    python .ci/containers/standins.py build example_project/Dockerfile
    python .ci/containers/standins.py remove
"""

# The script runs podman, mmdebstrap, uv and tar with arguments it builds itself.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTAINERFILES = HERE / "standins"
LABEL = "org.strict-core.standin"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
DEBIAN_SECURITY = "http://deb.debian.org/debian-security"
# Paths the debian:*-slim images leave out (debuerreotype's --slim).
SLIM_EXCLUDES = (
    "/usr/share/doc/*",
    "/usr/share/info/*",
    "/usr/share/man/*",
    "/usr/share/locale/*",
    "/usr/share/lintian/*",
    "/usr/share/groff/*",
)
POSTGRES = "localhost/standin/postgres:debian13"
REDIS = "localhost/standin/redis:debian13"


@dataclass(frozen=True)
class Standin:
    """One image to build: its full name, how, and from what."""

    name: str
    kind: str  # "debian", "uv" or "containerfile"
    source: str  # suite, version or Containerfile name

    def digest(self) -> str:
        """Return a hash of everything the image is built from."""
        text = f"{self.name}\n{self.kind}\n{self.source}\n"
        if self.kind == "containerfile":  # the Containerfile and its scripts
            prefix = self.source.split(".")[0].split("-")[0]
            for path in sorted(CONTAINERFILES.glob(f"{prefix}*")):
                text += path.name + "\n" + path.read_text()
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def qualified(name: str) -> str:
    """Return an image name as podman resolves it (Docker Hub's for short names)."""
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return name
    return f"docker.io/{name}" if rest else f"docker.io/library/{name}"


def standin_for(image: str) -> Standin:
    """Return the stand-in of an upstream base image a Dockerfile names.

    Raises:
        SystemExit: For an image without a stand-in.
    """
    name = qualified(image)
    repository, _, tag = name.rpartition(":")
    if repository == "docker.io/library/debian" and tag.endswith("-slim"):
        return Standin(name, "debian", tag.removesuffix("-slim"))
    if repository == "gcr.io/distroless/python3-debian13":
        return Standin(name, "containerfile", "distroless-python3.Containerfile")
    if repository == "ghcr.io/astral-sh/uv" and re.fullmatch(r"\d+\.\d+\.\d+", tag):
        return Standin(name, "uv", tag)
    if repository == "docker.io/library/nginx":
        return Standin(name, "containerfile", "nginx.Containerfile")
    raise SystemExit(f"standins: no stand-in for {image!r}")


def dockerfile_images(dockerfile: Path) -> list[str]:
    """Return the external images a Dockerfile starts from or copies from."""
    text = dockerfile.read_text()
    stages = set(re.findall(r"(?im)^FROM\s+\S+\s+AS\s+(\S+)", text))
    images = re.findall(r"(?im)^FROM\s+(?:--\S+\s+)*(\S+)", text)
    # A bare --from name is a stage or a build context (--build-context library=..).
    images += [
        name
        for name in re.findall(r"(?im)^COPY\s+.*--from=(\S+)", text)
        if ":" in name or "/" in name
    ]
    external = [i for i in images if i not in stages and i != "scratch"]
    return list(dict.fromkeys(external))


def needed(dockerfile: Path) -> list[Standin]:
    """Return the stand-ins in build order: Debian first, as the others start from it."""
    wanted = [standin_for(image) for image in dockerfile_images(dockerfile)]
    suite = next((s.source for s in wanted if s.kind == "debian"), "trixie")
    base = Standin(f"docker.io/library/debian:{suite}-slim", "debian", suite)
    services = [
        Standin(POSTGRES, "containerfile", "postgres.Containerfile"),
        Standin(REDIS, "containerfile", "redis.Containerfile"),
    ]
    return list(dict.fromkeys([base, *wanted, *services]))


def podman(*args: str, capture: bool = False) -> str:
    """Run podman; return its output when ``capture``."""
    result = subprocess.run(
        ["podman", *args], check=True, text=True, capture_output=capture
    )
    return result.stdout.strip() if capture else ""


def current_label(name: str) -> tuple[str, str] | None:
    """Return ``(image id, stand-in label)`` of a local image, or None."""
    result = subprocess.run(
        ["podman", "image", "inspect", name],
        text=True,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        return None
    info = json.loads(result.stdout)[0]
    labels = info.get("Labels") or {}
    return info["Id"], labels.get(LABEL, "")


def build_debian(standin: Standin, label: str, workdir: Path) -> None:
    """Build a Debian slim root filesystem with mmdebstrap and import it."""
    suite = standin.source
    tarball = workdir / f"{suite}.tar"
    subprocess.run(
        [
            "mmdebstrap",
            "--quiet",
            "--variant=minbase",
            *[f"--dpkgopt=path-exclude={path}" for path in SLIM_EXCLUDES],
            "--dpkgopt=path-include=/usr/share/doc/*/copyright",
            suite,
            str(tarball),
            f"deb {DEBIAN_MIRROR} {suite} main",
            f"deb {DEBIAN_MIRROR} {suite}-updates main",
            f"deb {DEBIAN_SECURITY} {suite}-security main",
        ],
        check=True,
    )
    podman(
        "import", "--quiet", "--change", 'CMD ["bash"]',
        "--change", f"LABEL {LABEL}={label}", str(tarball), standin.name,
    )  # fmt: skip


def build_uv(standin: Standin, label: str, workdir: Path) -> None:
    """Import uv's own binaries, taken from the uv wheel of the same version."""
    target = workdir / "uv"
    subprocess.run(
        ["uv", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         f"uv=={standin.source}"],
        check=True,
    )  # fmt: skip
    tarball = workdir / "uv.tar"
    subprocess.run(
        ["tar", "-cf", str(tarball), "-C", str(target / "bin"), "uv", "uvx"],
        check=True,
    )
    podman(
        "import", "--quiet", "--change", 'ENTRYPOINT ["/uv"]',
        "--change", f"LABEL {LABEL}={label}", str(tarball), standin.name,
    )  # fmt: skip


def build_containerfile(standin: Standin, label: str) -> None:
    """Build a stand-in from its Containerfile (Debian's packages over plain HTTP)."""
    podman(
        "build", "--quiet", "--layers=false", "--format", "docker",
        "--label", f"{LABEL}={label}", "-f", str(CONTAINERFILES / standin.source),
        "-t", standin.name, str(CONTAINERFILES),
    )  # fmt: skip


def build(dockerfile: Path) -> list[Standin]:
    """Build every stand-in that is missing or out of date; return them all."""
    standins = needed(dockerfile)
    for standin in standins:
        label = standin.digest()
        existing = current_label(standin.name)
        if existing and existing[1] == label:
            continue
        print(f"standins: building {standin.name}", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="standin-") as workdir:
            if standin.kind == "debian":
                build_debian(standin, label, Path(workdir))
            elif standin.kind == "uv":
                build_uv(standin, label, Path(workdir))
            else:
                build_containerfile(standin, label)
        if existing:  # the replaced image is left without a name
            subprocess.run(["podman", "rmi", "--force", existing[0]], check=False)
    return standins


def remove() -> None:
    """Remove every image that carries the stand-in label."""
    ids = podman(
        "images", "--quiet", "--filter", f"label={LABEL}", capture=True
    ).split()
    if ids:
        podman("rmi", "--force", *dict.fromkeys(ids))


def main() -> int:
    """Build or remove the stand-ins."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build what a Dockerfile needs")
    build_parser.add_argument("dockerfile", type=Path)
    commands.add_parser("remove", help="remove every stand-in image")
    args = parser.parse_args()
    os.environ.setdefault("CONTAINERS_CONF", str(HERE / "containers.conf"))
    if args.command == "build":
        for standin in build(args.dockerfile):
            print(standin.name)
    else:
        remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
