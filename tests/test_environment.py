"""environment.yml (conda, Binder) and pyproject.toml (pip, make) describe the same environment."""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# import name -> distribution name, where they differ
IMPORT_TO_PACKAGE = {"yaml": "pyyaml", "IPython": "ipykernel"}


def _split(spec: str) -> tuple[str, str]:
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*?)\s*", spec)
    assert m, f"cannot parse requirement {spec!r}"
    name = re.sub(r"\[.*\]", "", m.group(1)).lower().replace("_", "-")
    return name, m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = cfg["dependencies"] + cfg["optional-dependencies"]["test"]
    return dict(_split(s) for s in specs)


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _conda_specs(env: dict) -> dict[str, str]:
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            out.update([_split(dep.replace("=", "==", 1) if re.fullmatch(r"[\w\-]+=[\d.]+", dep) else dep)])
    return out


def test_environment_yml_parses_for_binder():
    env = _environment()
    assert env["channels"] == ["conda-forge"]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip == [{"pip": ["-e ."]}], "the repository's own package must install from the repository"
    assert "pip" in _conda_specs(env) and "python" in _conda_specs(env)


def test_environment_yml_and_pyproject_agree():
    conda = {k: v for k, v in _conda_specs(_environment()).items() if k not in {"python", "pip"}}
    assert conda == _pyproject()


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
    third_party = {m for m in _notebook_imports() if m not in sys.stdlib_module_names and m != "utils"}
    assert third_party, "no notebook imports found"
    listed = set(_conda_specs(_environment()))
    missing = {IMPORT_TO_PACKAGE.get(m, m).lower() for m in third_party} - listed
    assert not missing, f"notebooks import {sorted(missing)}, which environment.yml does not list"


def test_utils_imports_are_dependencies():
    deps = set(_pyproject())
    for path in (ROOT / "utils").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module.split(".")[0]]
            for n in names:
                if n in sys.stdlib_module_names or n == "utils":
                    continue
                assert IMPORT_TO_PACKAGE.get(n, n).lower() in deps, f"{path.name} imports {n}, not a dependency"
