"""The frame explorers of utils.widgets on the static site and in the decks, with no kernel.

A notebook stores each explorer (an anywidget, ``utils.widgets.FrameExplorer``) as a model in
its widget state and a widget-view output that names it. The site's widget renderer
(@jupyter-widgets/html-manager) draws only the ipywidgets' own models, so before a page or a
deck is rendered, :func:`prepare_notebook` turns each explorer output into an HTML output: an
empty ``<div>``, the model's stored state as JSON (its front-end module ``_esm`` included) and
a small module script, the host, that imports that front-end module and calls its ``render``
with a model object that keeps the state in the page (``get``, ``set``, ``on``, ``off``,
``save_changes``). The explorer then runs exactly as in JupyterLab, from the page alone: no
kernel, no file from another host. The explorers' models leave the stored widget state (and the
state goes away when nothing else is left in it, so the html-manager is not loaded for them).

Used by ``tools/site.py`` (pages) and ``tools/slides.py`` (decks), one call after reading a
notebook::

    from tools import widget_site
    widget_site.prepare_notebook(nb)
"""

from __future__ import annotations

import html
import json

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
EXPLORER_ID = "utils.widgets.FrameExplorer"   # the anywidget's _anywidget_id

# The host: once per page, mounts every explorer of the page (scripts of type module run once each,
# after the page is parsed, in order). The model object is what anywidget hands a module's render().
HOST = """<script type="module">
if (!window.ch11FramesHost) {
  window.ch11FramesHost = true;
  const modules = new Map();
  const load = (esm) => {
    if (!modules.has(esm)) {
      const url = URL.createObjectURL(new Blob([esm], {type: "text/javascript"}));
      modules.set(esm, import(url).then((m) => (typeof m.default === "function" ? m.default() : m.default)));
    }
    return modules.get(esm);
  };
  class PageModel {
    constructor(state) { this.state = state; this.handlers = new Map(); }
    get(name) { return this.state[name]; }
    set(name, value) {
      this.state[name] = value;
      for (const f of this.handlers.get("change:" + name) || []) f();
    }
    on(event, f) { if (!this.handlers.has(event)) this.handlers.set(event, []); this.handlers.get(event).push(f); }
    off(event, f) { this.handlers.set(event, (this.handlers.get(event) || []).filter((g) => g !== f)); }
    save_changes() {}
    send() {}
  }
  for (const el of document.querySelectorAll("div[data-ch11-frames]")) {
    const id = el.getAttribute("data-ch11-frames");
    const holder = document.querySelector('script[data-ch11-frames-state="' + id + '"]');
    try {
      const state = JSON.parse(holder.textContent);
      const widget = await load(state._esm);
      const model = new PageModel(state);
      if (widget.initialize) await widget.initialize({model});
      await widget.render({model, el});
    } catch (err) {
      el.textContent = "이 위젯을 그리지 못했습니다 / the widget could not be drawn: " + err;
      console.error(err);
    }
  }
}
</script>"""


def _state_of(nb: dict) -> dict:
    widgets = nb.get("metadata", {}).get("widgets", {})
    return widgets.get(WIDGET_STATE, {}).get("state", {}) if isinstance(widgets, dict) else {}


def explorer_models(nb: dict) -> dict[str, dict]:
    """The stored FrameExplorer models of ``nb``: model id -> its state."""
    return {mid: m.get("state", {}) for mid, m in _state_of(nb).items()
            if m.get("model_module") == "anywidget" and m.get("state", {}).get("_anywidget_id") == EXPLORER_ID}


def explorer_html(model_id: str, state: dict) -> str:
    """The HTML that draws one explorer from its stored ``state`` (the host script included)."""
    data = json.dumps(state, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    ident = html.escape(model_id, quote=True)
    return (f'<div class="ch11-frames-host" data-ch11-frames="{ident}"></div>\n'
            f'<script type="application/json" data-ch11-frames-state="{ident}">{data}</script>\n{HOST}')


def prepare_notebook(nb: dict) -> int:
    """Turn every FrameExplorer output of ``nb`` into self-contained HTML, in place; how many.

    Outputs whose model is not stored (a notebook saved without widget state) are left as they are.
    """
    models = explorer_models(nb)
    if not models:
        return 0
    done = 0
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            view = output.get("data", {}).get(WIDGET_VIEW)
            if not isinstance(view, dict) or view.get("model_id") not in models:
                continue
            mid = view["model_id"]
            text = output["data"].get("text/plain", "FrameExplorer")
            output["data"] = {"text/html": explorer_html(mid, models[mid]), "text/plain": text}
            done += 1
    state = _state_of(nb)
    for mid in models:
        state.pop(mid, None)
    # the explorers' own layout models go too, unless another model still refers to them
    refs = {v[len("IPY_MODEL_"):] for m in models.values() for v in m.values()
            if isinstance(v, str) and v.startswith("IPY_MODEL_")}
    still = json.dumps(state)
    for mid in refs:
        if f"IPY_MODEL_{mid}" not in still:
            state.pop(mid, None)
    if not state:
        nb["metadata"].pop("widgets", None)
    return done
