"""Fixtures for the real-browser test: a private JupyterLab server and headless Chromium.

The browser test opens every notebook of the series in the real JupyterLab UI,
runs all cells with the Run menu and fails on any error output (see
``test_notebooks_in_lab.py``). It needs

* the Python package ``playwright`` (``pip install playwright``; only the
  Python package: the test never downloads a browser), and
* a Chromium binary: Debian/Ubuntu's ``sudo apt-get install chromium`` gives
  ``/usr/bin/chromium``; any other one can be named with ``CHROMIUM_PATH``.

Without either, the tests are skipped with a message saying so, except when
``CI=true``: there a missing browser fails the run.

The server is started once per test session with a random token, on a free
port of 127.0.0.1, with its own temporary configuration, runtime, data,
settings and workspace folders (a user's own JupyterLab settings cannot change
what the test sees), and with ``CH11_QUICK=1`` so each kernel runs the
notebooks in quick mode.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SERVER_START_TIMEOUT = 90.0  # seconds until the server must answer /api/status

# JupyterLab user settings for the run: every cell stays attached to the DOM
# (so the test sees all prompts and outputs), and no news or update checks
# (this machine's network is closed, and a toast would cover the screenshot).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}

PLAYWRIGHT_HINT = ("install the Python package: `pip install playwright` (or the test extras, "
                   "`pip install -e '.[test]'`)")
CHROMIUM_HINT = ("install the system Chromium: `sudo apt-get install chromium` (Debian/Ubuntu), or point "
                 "CHROMIUM_PATH at a Chromium binary. Do not run `playwright install`: the test never "
                 "downloads a browser")


def running_in_ci() -> bool:
    """True when the environment variable CI is 'true' (GitHub Actions, GitLab and others set it)."""
    return os.environ.get("CI", "").strip().lower() == "true"


def chromium_path() -> str | None:
    """The Chromium binary to use: $CHROMIUM_PATH if set, else /usr/bin/chromium; None if missing."""
    path = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def skip_or_fail(reason: str, hint: str) -> None:
    """Skip with ``reason`` and how to enable the test; fail instead when CI=true."""
    message = f"{reason}; to run the browser test, {hint}."
    if running_in_ci():
        pytest.fail(f"CI=true and the browser test cannot run: {message}", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    """A running ``jupyter lab`` process and how to reach it."""

    process: subprocess.Popen
    port: int
    token: str
    log_path: Path
    root: Path = REPO

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """URL of a server path (no leading slash), with the token as query parameter."""
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}/{path}{sep}token={self.token}"

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API (``path`` like 'api/sessions'); the JSON reply or None."""
        req = urllib.request.Request(f"{self.base_url}/{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self, path_prefix: str) -> None:
        """Shut down every kernel session whose notebook path starts with ``path_prefix``."""
        for session in self.api("GET", "api/sessions") or []:
            if session.get("path", "").startswith(path_prefix):
                self.api("DELETE", f"api/sessions/{session['id']}")

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _write_lab_settings(settings_dir: Path) -> None:
    for rel, values in LAB_SETTINGS.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2), encoding="utf-8")


def _jupyter_executable() -> str:
    """The ``jupyter`` next to the running Python (the project's venv)."""
    candidate = Path(sys.executable).with_name("jupyter")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("jupyter")
    if found is None:
        pytest.fail(f"no `jupyter` next to {sys.executable} nor on PATH; install the test extras "
                    "(`pip install -e '.[test]'`)", pytrace=False)
    return found


@pytest.fixture(scope="session")
def browser_requirements() -> str:
    """Check playwright and Chromium are present (skip, or fail under CI=true); the Chromium path."""
    try:
        import playwright.sync_api  # noqa: F401
        have_playwright = True
    except ImportError:
        have_playwright = False
    if not have_playwright:
        skip_or_fail("the Python package `playwright` is not installed", PLAYWRIGHT_HINT)
    path = chromium_path()
    if path is None:
        where = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
        skip_or_fail(f"no Chromium binary at {where}", CHROMIUM_HINT)
    return path


@pytest.fixture(scope="session")
def lab_server(browser_requirements: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """``jupyter lab`` on 127.0.0.1 at a free port, private settings, CH11_QUICK=1; stopped at the end."""
    home = tmp_path_factory.mktemp("jupyter-home")
    dirs = {name: home / name for name in ("config", "runtime", "data", "settings", "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir()
    _write_lab_settings(dirs["settings"])
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        # quick mode unless CH11_BROWSER_QUICK=0 (make screenshots: the full default run)
        "CH11_QUICK": os.environ.get("CH11_BROWSER_QUICK", "1"),
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("JUPYTER_TOKEN", None)
    token = secrets.token_hex(24)
    port = free_port()
    cmd = [
        _jupyter_executable(), "lab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",  # jupyter_server 2's name for --ServerApp.token
        f"--ServerApp.root_dir={REPO}",
        "--expose-app-in-browser",            # window.jupyterapp: the test reads kernel and cell states
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI images often run as root
    log_path = home / "jupyter-lab.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = LabServer(process, port, token, log_path)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited with code {process.returncode} before answering:\n"
                            f"{server.log_tail()}", pytrace=False)
            try:
                server.api("GET", "api/status")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer within {SERVER_START_TIMEOUT:.0f} s:\n"
                                f"{server.log_tail()}", pytrace=False)
                time.sleep(0.5)
        yield server
    finally:
        if process.poll() is None:
            try:
                server.shutdown_sessions("")
            except Exception:
                pass
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def chromium(browser_requirements: str) -> Iterator[object]:
    """Headless Chromium (the system binary, never a downloaded one) driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_requirements, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class RunRecord:
    name: str
    seconds: float
    result: str
    detail: str = ""


@dataclass
class RunLog:
    records: list[RunRecord] = field(default_factory=list)

    def add(self, fields: tuple) -> None:
        """Record (name, seconds, result[, detail]) and print it at once."""
        record = RunRecord(*fields)
        self.records.append(record)
        print(f"\n[browser] {record.name}: {record.seconds:.1f} s, {record.result}"
              + (f" ({record.detail})" if record.detail else ""), flush=True)


_RUN_LOG = RunLog()


@pytest.fixture(scope="session")
def run_log() -> RunLog:
    """Per-notebook timings and results, printed at once and again in the terminal summary."""
    return _RUN_LOG


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    if not _RUN_LOG.records:
        return
    quick = os.environ.get("CH11_BROWSER_QUICK", "1")
    terminalreporter.section(f"notebooks in JupyterLab (headless Chromium, CH11_QUICK={quick})")
    for r in _RUN_LOG.records:
        terminalreporter.write_line(f"{r.name:<40} {r.seconds:7.1f} s  {r.result}"
                                    + (f"  {r.detail}" if r.detail else ""))


@pytest.fixture(scope="session")
def scratch_dirs() -> Iterator[Callable[[str], Path]]:
    """``make(prefix)``: a new temporary folder for notebook copies under build/browser-test
    (gitignored; nbval is never given it). All are removed at the end of the session, and
    build/browser-test too if it is then empty (another run may be using it)."""
    parent = REPO / "build" / "browser-test"
    made: list[Path] = []

    def make(prefix: str) -> Path:
        parent.mkdir(parents=True, exist_ok=True)
        made.append(Path(tempfile.mkdtemp(prefix=prefix, dir=parent)))
        return made[-1]

    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)
    try:
        parent.rmdir()
    except OSError:
        pass
