"""The image build checks the code with Ruff and never rewrites it.

Each case adds one module to a fresh copy of the sources: an error Ruff cannot fix,
one it could fix, and a file its formatter would change. Every build must stop at the
gate, because an image must hold the code it was built from.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest

from tests.containers import podman

if TYPE_CHECKING:
    from pathlib import Path

CASES = {
    # F821: an undefined name has no automatic fix.
    "unfixable": ("def total():\n    return undefined_name + 1\n", "F821"),
    # F401: `ruff check --fix` would delete the import and ship a changed file.
    "fixable": ('"""A module."""\n\nimport os\n', "F401"),
    "unformatted": ('"""A module."""\n\nVALUES = [1,2,   3]\n', "would be reformatted"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_build_with_code_ruff_rejects_fails(
    base_images: list[str], sources: Path, tmp_path: Path, case: str
) -> None:
    code, expected = CASES[case]
    copy = tmp_path / "sources"
    shutil.copytree(sources.parent, copy, symlinks=True)
    project = copy / sources.name
    (project / "apps" / "core" / "gate_case.py").write_text(code)

    build = podman.build(
        project, f"localhost/strict-containers-test/gate:{podman.RUN_ID}",
        "--target=builder",
    )  # fmt: skip

    assert build.returncode != 0, build.tail()
    assert expected in build.log
    assert "apps/core/gate_case.py" in build.log
    assert "static files copied" not in build.log
    podman.FIGURES[f"quality gate, {case} case"] = (
        f"build failed at Ruff in {build.seconds:.1f} s: {expected}"
    )
