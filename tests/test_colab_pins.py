"""colab/requirements-colab.txt pins Colab's stack, and pyproject.toml admits it.

The Colab-stack check (``make test-colab``, colab/run_colab_stack.sh) installs
that file; on Colab the notebooks' setup cell installs ``utils`` with
``--no-deps`` on top of Colab's own packages. Both work only while the lower
bounds in pyproject.toml admit the versions Colab ships, so these tests stop
anyone from raising a bound past them.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "colab" / "requirements-colab.txt"
COLAB_PACKAGES = ("tensorflow", "keras", "ipywidgets")


def parse_requirements(text: str) -> dict[str, Requirement]:
    """Requirements of a requirements.txt text by canonical name (comments and blank lines skipped).

    Raises
    ------
    ValueError
        If a line is not a requirement or a package appears twice.
    """
    reqs: dict[str, Requirement] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise ValueError(f"line {number}: {raw!r} is not a requirement ({exc})") from exc
        name = canonicalize_name(req.name)
        if name in reqs:
            raise ValueError(f"line {number}: {req.name} appears a second time")
        reqs[name] = req
    return reqs


def pinned_version(req: Requirement) -> Version:
    """The version of an exact pin ``name==X``; ValueError for anything else."""
    specs = list(req.specifier)
    if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
        raise ValueError(f"{req} is not an exact pin; expected '{req.name}==X.Y.Z'")
    return Version(specs[0].version)


def _pins() -> dict[str, Requirement]:
    return parse_requirements(REQUIREMENTS.read_text(encoding="utf-8"))


def _pyproject_dependencies() -> dict[str, Requirement]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    return parse_requirements("\n".join(deps))


@pytest.mark.parametrize("package", COLAB_PACKAGES)
def test_colab_package_is_pinned_exactly(package):
    reqs = _pins()
    assert package in reqs, f"{REQUIREMENTS.name} lacks {package}"
    version = pinned_version(reqs[package])
    assert not version.is_prerelease, f"{package} is pinned to the pre-release {version}"


def test_every_pin_is_exact():
    # Each line of the file is a version the check installs; a range would let it drift.
    for req in _pins().values():
        pinned_version(req)


def test_numpy_is_pinned_to_a_numpy_2():
    assert pinned_version(_pins()["numpy"]).major == 2


@pytest.mark.parametrize("package", COLAB_PACKAGES + ("numpy", "matplotlib"))
def test_pyproject_bounds_admit_the_colab_versions(package):
    deps = _pyproject_dependencies()
    assert package in deps, f"pyproject.toml does not list {package} as a dependency"
    version = pinned_version(_pins()[package])
    spec = deps[package].specifier
    assert spec.contains(version, prereleases=True), (
        f"pyproject.toml requires {package}{spec}, which excludes {version}, the version "
        f"pinned for Colab in colab/requirements-colab.txt; Colab students would not get it")


def test_every_runtime_dependency_is_pinned_for_colab():
    # A dependency the Colab check leaves unpinned would be tested with whatever pip picks.
    missing = set(_pyproject_dependencies()) - set(_pins())
    assert not missing, f"add exact pins for {sorted(missing)} to {REQUIREMENTS.name}"


def test_header_says_where_the_versions_come_from_and_when():
    header = []
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    text = "\n".join(header)
    assert "Colab" in text
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", text), "the header must say when the versions were read"
    assert "update this file" in text.lower() and "colab updates" in text.lower()


def test_the_script_reads_versions_only_from_the_requirements_file():
    # The pinned versions live in one file; the script must not repeat them.
    script = (ROOT / "colab" / "run_colab_stack.sh").read_text(encoding="utf-8")
    assert str(REQUIREMENTS.relative_to(ROOT)) in script
    for name, req in _pins().items():
        assert f"{name}=={pinned_version(req)}" not in script
        if name in COLAB_PACKAGES:
            assert str(pinned_version(req)) not in script, f"{name}'s version is written into the script"


def test_parse_requirements_rejects_bad_input():
    with pytest.raises(ValueError, match="appears a second time"):
        parse_requirements("keras==3.13.2\nKeras==3.13.1\n")
    with pytest.raises(ValueError, match="not a requirement"):
        parse_requirements("keras 3.13.2\n")
    with pytest.raises(ValueError, match="not an exact pin"):
        pinned_version(Requirement("keras>=3.0"))
    with pytest.raises(ValueError, match="not an exact pin"):
        pinned_version(Requirement("keras==3.*"))
    assert pinned_version(parse_requirements("tensorflow==2.20.0  # comment\n")["tensorflow"]) == Version("2.20.0")


def test_a_raised_bound_would_be_caught():
    # The check above must fail for a bound past Colab's version: tensorflow>=2.21 excludes 2.20.0.
    raised = Requirement("tensorflow>=2.21").specifier
    assert not raised.contains(Version("2.20.0"))
    assert Requirement("tensorflow>=2.16").specifier.contains(Version("2.20.0"))
    assert Requirement("ipywidgets>=7.7.1").specifier.contains(Version("7.7.1"))
