"""The GitHub Pages workflow (.github/workflows/pages.yml) parses and has the steps that publish the site.

It cannot run here (it needs GitHub's runners); this checks what can be checked offline: valid YAML,
triggered by a pushed release tag, the Pages permissions, the build steps in order (check out,
Python, Node, `make site`, the browser test of the built site, upload of build/site), and a deploy
job that depends on the build.
"""

from __future__ import annotations

from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "pages.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{WORKFLOW} is not a YAML mapping"
    return data


def steps(job: dict) -> list[dict]:
    return job["steps"]


def test_triggered_by_a_release_tag(workflow: dict) -> None:
    on = workflow.get("on", workflow.get(True))   # YAML 1.1 reads a bare `on` key as True
    assert on["push"]["tags"] == ["v*"]
    assert "branches" not in on["push"]


def test_pages_permissions(workflow: dict) -> None:
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_build_job_builds_checks_and_uploads_the_site(workflow: dict) -> None:
    build = workflow["jobs"]["build"]
    uses = [s.get("uses", "").split("@")[0] for s in steps(build)]
    runs = [s.get("run", "") for s in steps(build)]
    order = ["actions/checkout", "actions/setup-python", "actions/setup-node", "actions/configure-pages",
             "actions/upload-pages-artifact"]
    assert [u for u in uses if u in order] == order
    make_site = next(i for i, r in enumerate(runs) if r.startswith("make site"))
    browser = next(i for i, r in enumerate(runs) if "tests/browser/test_site.py" in r)
    upload = uses.index("actions/upload-pages-artifact")
    assert make_site < browser < upload
    assert steps(build)[browser]["env"]["CH11_SITE_DIR"] == "build/site"
    assert steps(build)[browser]["env"]["CI"] == "true"       # a missing browser fails, not skips
    assert steps(build)[upload]["with"]["path"] == "build/site"
    assert all(s.get("name") for s in steps(build)), "every step has a name"


def test_deploy_job_deploys_after_the_build(workflow: dict) -> None:
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in steps(deploy)] == ["actions/deploy-pages"]
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert steps(deploy)[0]["id"] == "deployment"
