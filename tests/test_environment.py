"""The environment files agree with pyproject.toml, and the Makefile's first step checks the Python.

* environment.yml (students with conda, Binder): the runtime dependencies and the `lab` extra,
  no test tools;
* environment-dev.yml (developers): the runtime dependencies and the `test` extra;
* tools/ensure_venv.sh (every make target): stops on a Python older than requires-python,
  makes .venv anew when another Python made it, installs only the extra the target needs.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# import name -> distribution name, where they differ
IMPORT_TO_PACKAGE = {"yaml": "pyyaml", "IPython": "ipykernel", "matplotlib_inline": "ipykernel", "skimage": "scikit-image", "PIL": "pillow"}
TEST_TOOLS = {"pytest", "nbval", "playwright"}


def _split(spec: str) -> tuple[str, str]:
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*?)\s*", spec)
    assert m, f"cannot parse requirement {spec!r}"
    name = re.sub(r"\[.*\]", "", m.group(1)).lower().replace("_", "-")
    return name, m.group(2).replace(" ", "")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _pyproject(extra: str) -> dict[str, str]:
    cfg = _project()
    return dict(_split(s) for s in cfg["dependencies"] + cfg["optional-dependencies"][extra])


def _environment(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def _conda_specs(env: dict) -> dict[str, str]:
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            out.update([_split(dep.replace("=", "==", 1) if re.fullmatch(r"[\w\-]+=[\d.]+", dep) else dep)])
    return out


@pytest.mark.parametrize("name", ["environment.yml", "environment-dev.yml"])
def test_environment_file_parses_and_installs_the_repository(name):
    env = _environment(name)
    assert env["channels"] == ["conda-forge"]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip == [{"pip": ["-e ."]}], "the repository's own package must install from the repository"
    assert "pip" in _conda_specs(env) and "python" in _conda_specs(env)


@pytest.mark.parametrize("name, extra", [("environment.yml", "lab"), ("environment-dev.yml", "test")])
def test_environment_file_and_pyproject_agree(name, extra):
    conda = {k: v for k, v in _conda_specs(_environment(name)).items() if k not in {"python", "pip"}}
    assert conda == _pyproject(extra)


def test_binder_and_make_lab_get_no_test_tools():
    # Binder builds environment.yml (there is no binder/ folder to override it).
    assert not (ROOT / "binder").exists()
    assert not TEST_TOOLS & set(_conda_specs(_environment("environment.yml")))
    assert not TEST_TOOLS & set(_pyproject("lab"))
    assert TEST_TOOLS <= set(_pyproject("test")) and set(_pyproject("lab")) <= set(_pyproject("test"))


def test_environment_python_is_admitted_by_requires_python():
    need = re.fullmatch(r">=(\d+)\.(\d+)", _project()["requires-python"])
    assert need, "requires-python must read '>=X.Y' (tools/ensure_venv.sh reads it)"
    for name in ("environment.yml", "environment-dev.yml"):
        pinned = _conda_specs(_environment(name))["python"]
        assert tuple(map(int, pinned.lstrip("=").split(".")[:2])) >= tuple(map(int, need.groups())), name


def test_requires_python_is_true_for_the_running_tests():
    need = tuple(map(int, _project()["requires-python"].lstrip(">=").split(".")))
    assert sys.version_info[:2] >= need


def _notebook_imports() -> set[str]:
    mods = set()
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            src = "\n".join(ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(src)):
                if isinstance(node, ast.Import):
                    mods.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    mods.add(node.module.split(".")[0])
    return mods


def test_environment_lists_what_the_notebooks_import():
    third_party = {m for m in _notebook_imports() if m not in sys.stdlib_module_names and m not in ("utils", "exercises")}
    assert third_party, "no notebook imports found"
    listed = set(_conda_specs(_environment("environment.yml")))
    missing = {IMPORT_TO_PACKAGE.get(m, m).lower() for m in third_party} - listed
    assert not missing, f"notebooks import {sorted(missing)}, which environment.yml does not list"


def _imports_of(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module.split(".")[0]]
            else:
                continue
            found.setdefault(path.name, set()).update(names)
    return found


def test_utils_imports_are_runtime_dependencies():
    # utils is what Colab installs (--no-deps) and what make lab installs (no test extra).
    deps = set(_pyproject("lab"))
    for name, mods in _imports_of(ROOT / "utils").items():
        for n in mods:
            if n in sys.stdlib_module_names or n == "utils":
                continue
            assert IMPORT_TO_PACKAGE.get(n, n).lower() in deps, f"utils/{name} imports {n}, not a dependency"


def test_utils_runs_on_every_python_requires_python_admits():
    # tomllib is 3.11+: the course tooling that reads pyproject.toml lives in tools/, not in utils.
    for name, mods in _imports_of(ROOT / "utils").items():
        assert "tomllib" not in mods, f"utils/{name} imports tomllib"
        assert "tools" not in mods, f"utils/{name} imports the maintainers' tools"


# --- tools/ensure_venv.sh, the Makefile's first step --------------------------------------------

FAKE_PYTHON = """#!/usr/bin/env bash
# A stand-in interpreter reporting Python {version}: -c prints the version, -m venv makes a
# folder holding a copy of this script, -m pip records its arguments.
if [[ $1 == -c ]]; then echo {version}; exit 0; fi
if [[ $1 == -m && $2 == venv ]]; then mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; echo "version = {version}" > "$3/pyvenv.cfg"; exit 0; fi
if [[ $1 == -m && $2 == pip ]]; then echo "${{*:3}}" >> "$PIP_LOG"; exit 0; fi
exit 1
"""


def _fake_python(folder: Path, version: str) -> Path:
    path = folder / f"python{version}"
    path.write_text(FAKE_PYTHON.format(version=version), encoding="utf-8")
    path.chmod(0o755)
    return path


def _ensure(extra: str, venv: Path, pip_log: Path, python: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "VENV": str(venv), "PIP_LOG": str(pip_log), "GOALS": extra}
    env.pop("PYTHON", None)
    if python is not None:
        env["PYTHON"] = str(python)
    return subprocess.run(["bash", str(ROOT / "tools" / "ensure_venv.sh"), extra], capture_output=True,
                          text=True, env=env, timeout=60)


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash (the Makefile's shell)")


@needs_bash
def test_make_stops_on_a_python_older_than_requires_python(tmp_path):
    done = _ensure("lab", tmp_path / ".venv", tmp_path / "pip.log", _fake_python(tmp_path, "3.9.18"))
    assert done.returncode == 2
    assert "is Python 3.9.18, but this series needs Python 3.11 or newer" in done.stderr
    assert "make lab PYTHON=python3.12" in done.stderr
    assert not (tmp_path / ".venv").exists() and not (tmp_path / "pip.log").exists()


@needs_bash
def test_make_stops_when_the_python_does_not_run(tmp_path):
    done = _ensure("lab", tmp_path / ".venv", tmp_path / "pip.log", tmp_path / "no-such-python")
    assert done.returncode == 2 and "cannot run" in done.stderr and "Python 3.11 or newer" in done.stderr


@needs_bash
def test_a_venv_made_by_another_python_is_made_anew(tmp_path):
    venv, log = tmp_path / ".venv", tmp_path / "pip.log"
    subprocess.run([str(_fake_python(tmp_path, "3.10.13")), "-m", "venv", str(venv)], check=True)
    (venv / "marker").write_text("old")
    done = _ensure("lab", venv, log, _fake_python(tmp_path, "3.12.1"))
    assert done.returncode == 0, done.stderr
    assert "was made by Python 3.10.13; making it anew" in done.stderr
    assert not (venv / "marker").exists() and "3.12.1" in (venv / "pyvenv.cfg").read_text()
    installs = log.read_text().splitlines()
    # make lab: the lab extra only, with pip's progress shown (no --quiet on the long install)
    assert installs[-1] == "install --disable-pip-version-check --progress-bar on -e .[lab]"
    assert (venv / ".installed-lab").exists() and not (venv / ".installed-test").exists()


@needs_bash
def test_an_admitted_venv_is_kept_and_the_test_extra_installed_once(tmp_path):
    venv, log = tmp_path / ".venv", tmp_path / "pip.log"
    subprocess.run([str(_fake_python(tmp_path, "3.12.1")), "-m", "venv", str(venv)], check=True)
    (venv / "marker").write_text("kept")
    done = _ensure("test", venv, log)  # no PYTHON: the environment that is there is used
    assert done.returncode == 0, done.stderr
    assert (venv / "marker").exists()
    assert log.read_text().splitlines()[-1].endswith("-e .[test]")
    assert (venv / ".installed-test").exists() and (venv / ".installed-lab").exists()
    log.unlink()
    assert _ensure("lab", venv, log).returncode == 0 and not log.exists(), "nothing to install the second time"


@needs_bash
def test_a_folder_that_is_not_a_venv_is_not_deleted(tmp_path):
    venv = tmp_path / ".venv"
    venv.mkdir()
    (venv / "precious.txt").write_text("x")
    done = _ensure("lab", venv, tmp_path / "pip.log", _fake_python(tmp_path, "3.12.1"))
    assert done.returncode == 2 and "is not a virtual environment" in done.stderr
    assert (venv / "precious.txt").exists()
