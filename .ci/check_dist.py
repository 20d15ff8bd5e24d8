"""Check the built distributions: the wheel ships the package only, typed, no tests.

The package includes its scaffold templates (package data of ``startproject``).
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

# A few files of each scaffold template, hidden ones among them (startproject and
# startapp render them from the installed package).
SCAFFOLD_TEMPLATE_FILES = (
    "project/pyproject.toml-tpl",
    "project/.gitignore-tpl",
    "project/.env.example-tpl",
    "project/config/settings.py-tpl",
    "app/migrations/0001_initial.py-tpl",
    "app/views.py-tpl",
)


def main(dist: Path) -> int:
    """Inspect the wheel and sdist in ``dist`` and report problems.

    Args:
        dist: Directory holding exactly one wheel and one sdist.

    Returns:
        The process exit code: 0 when both distributions are sound.
    """
    wheels = sorted(dist.glob("*.whl"))
    sdists = sorted(dist.glob("*.tar.gz"))
    problems: list[str] = []
    if len(wheels) != 1 or len(sdists) != 1:
        problems.append(f"expected one wheel and one sdist, found {wheels + sdists}")
    for wheel in wheels:
        names = zipfile.ZipFile(wheel).namelist()
        top_level = {name.split("/", 1)[0] for name in names}
        unexpected = {
            t
            for t in top_level
            if t != "django_strict_core" and not t.endswith(".dist-info")
        }
        if unexpected:
            problems.append(
                f"{wheel.name} ships more than the package: {sorted(unexpected)}"
            )
        if "django_strict_core/py.typed" not in names:
            problems.append(f"{wheel.name} lacks django_strict_core/py.typed")
        templates = "django_strict_core/scaffold/templates/"
        missing = [
            name
            for name in SCAFFOLD_TEMPLATE_FILES
            if f"{templates}{name}" not in names
        ]
        if missing:
            problems.append(f"{wheel.name} lacks scaffold templates: {missing}")
    for sdist in sdists:
        with tarfile.open(sdist) as archive:
            names = archive.getnames()
        if not any(
            name.endswith("/src/django_strict_core/__init__.py") for name in names
        ):
            problems.append(f"{sdist.name} lacks the package source")
    for problem in problems:
        sys.stderr.write(f"check_dist: {problem}\n")
    if not problems:
        sys.stdout.write(
            f"check_dist: {', '.join(p.name for p in wheels + sdists)} OK\n"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
