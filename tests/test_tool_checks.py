"""The maintainers' checks run in make test, as the commands a maintainer types: the exercise
sections (tools.exercises check), the slide types (tools.slides check) and the badges, setup cells
and README tables of lessons and solutions (tools.course check, also in tests/test_course.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("tool", ["tools.exercises", "tools.slides", "tools.course"])
def test_check_is_clean(tool):
    done = subprocess.run([sys.executable, "-m", tool, "check"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"python -m {tool} check:\n{done.stdout}{done.stderr}"
