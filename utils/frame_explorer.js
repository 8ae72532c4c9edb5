// Front end of utils.widgets.FrameExplorer: sliders and choice buttons that pick one of the
// frames decoded when the cell ran, with no kernel call. One ES module serves JupyterLab and
// Colab (through anywidget), the static site and the reveal.js decks (through
// tools/widget_site.py's small host, which gives render() the same model interface).
//
// Model state (written by utils/widgets.py):
//   controls  [{name, label, kind: "slider"|"choice", values: [...], text: [...]}]
//             the frame of control indices (i0, i1, ...) is sum(i_k * stride_k), last fastest
//   sheet     {kind: "gray", png: base64, width, height, count, levels, scale}
//             one frame per PNG row (width*height pixels), pixel = level / levels
//             or {kind: "images", images: [base64 PNG, ...], width, height}
//   scatter   {} or {png, width, height, alt, x, y, px: [[u0, v0], [u1, v1]], data: [[x0, y0], [x1, y1]]}
//             marker at the values of controls x and y, mapped linearly from data to image pixels
//   value     {name: value} of every control (synced: the kernel reads it)
//   title, image_alt   the group's name and the decoded image's description

const STYLE_ID = "ch11-frames-style-1";
const CSS = `
.ch11-frames { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start;
  font: 13px/1.4 system-ui, sans-serif; color: var(--jp-content-font-color1, #1a1a1a); margin: 4px 0; }
.ch11-frames-controls { display: flex; flex-direction: column; gap: 6px; min-width: 220px; }
.ch11-frames-row { display: grid; grid-template-columns: 4.5em 1fr 4em; align-items: center; gap: 6px; }
.ch11-frames-row label { font-weight: 600; }
.ch11-frames-row input[type=range] { width: 100%; min-width: 120px; margin: 0; accent-color: #1f5fa8; }
.ch11-frames-row output { font-variant-numeric: tabular-nums; text-align: right; }
.ch11-frames fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px; align-items: center; }
.ch11-frames legend { font-weight: 600; float: left; width: 4.5em; padding: 0; }
.ch11-frames-choice { position: relative; }
.ch11-frames-choice input { position: absolute; opacity: 0; width: 100%; height: 100%; margin: 0; cursor: pointer; }
.ch11-frames-choice span { display: inline-block; min-width: 1.9em; padding: 3px 4px; text-align: center;
  border: 1px solid #767676; border-radius: 3px; background: var(--jp-layout-color1, #fff); }
.ch11-frames-choice input:checked + span { background: #1f5fa8; color: #fff; border-color: #1f5fa8; }
.ch11-frames-choice input:focus-visible + span, .ch11-frames-row input:focus-visible { outline: 3px solid #c05600; outline-offset: 1px; }
.ch11-frames-image { image-rendering: pixelated; border: 1px solid #ccc; background: #000; display: block; }
.ch11-frames-picture { display: block; max-width: 100%; height: auto; }
.ch11-frames-scatter { position: relative; display: inline-block; line-height: 0; }
.ch11-frames-scatter img { display: block; max-width: 100%; height: auto; }
.ch11-frames-marker { position: absolute; width: 18px; height: 18px; margin: -9px 0 0 -9px; pointer-events: none; }
.ch11-frames-title { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;

function addStyle(doc) {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement("style");
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

let counter = 0;

function make(doc, tag, props = {}, children = []) {
  const node = doc.createElement(tag);
  for (const [key, val] of Object.entries(props)) {
    if (key === "className") node.className = val;
    else if (key === "text") node.textContent = val;
    else node.setAttribute(key, val);
  }
  for (const child of children) node.appendChild(child);
  return node;
}

function loadImage(doc, src) {
  return new Promise((resolve, reject) => {
    const img = doc.createElement("img");
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("ch11 frames: a stored image could not be decoded"));
    img.src = src;
  });
}

// The frame sheet as one byte per pixel (gray sheets) or as data URLs (figure sheets).
async function readSheet(doc, sheet) {
  if (sheet.kind === "images") {
    return { urls: sheet.images.map((b64) => "data:image/png;base64," + b64) };
  }
  const img = await loadImage(doc, "data:image/png;base64," + sheet.png);
  const w = sheet.width * sheet.height;
  const canvas = doc.createElement("canvas");
  canvas.width = w;
  canvas.height = sheet.count;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(img, 0, 0);
  const rgba = ctx.getImageData(0, 0, w, sheet.count).data;
  const gray = new Uint8ClampedArray(w * sheet.count);
  const scale = 255 / sheet.levels;
  for (let i = 0; i < gray.length; i++) gray[i] = Math.round(rgba[4 * i] * scale);
  return { gray };
}

function nearestIndex(values, v) {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if (Math.abs(values[i] - v) < Math.abs(values[best] - v)) best = i;
  }
  return best;
}

function render({ model, el }) {
  const doc = el.ownerDocument;
  addStyle(doc);
  const controls = model.get("controls");
  const sheet = model.get("sheet");
  const scatter = model.get("scatter") || {};
  const uid = `ch11f${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  const strides = new Array(controls.length).fill(1);
  for (let k = controls.length - 2; k >= 0; k--) strides[k] = strides[k + 1] * controls[k + 1].values.length;

  // data-lm-suppress-shortcuts: JupyterLab's command-mode keys (arrows, j/k, ...) leave the controls alone
  const root = make(doc, "div", { className: "ch11-frames", role: "group", "aria-labelledby": `${uid}-title`,
                                  "data-lm-suppress-shortcuts": "true" });
  // a press on a control is the control's, not the notebook's (which would select or drag the cell)
  for (const type of ["mousedown", "pointerdown", "keydown"]) root.addEventListener(type, (e) => e.stopPropagation());
  root.appendChild(make(doc, "span", { className: "ch11-frames-title", id: `${uid}-title`, text: model.get("title") }));
  const panel = make(doc, "div", { className: "ch11-frames-controls" });
  root.appendChild(panel);
  const inputs = [];   // per control: {set(index), index()}
  controls.forEach((c, k) => {
    const id = `${uid}-${k}`;
    if (c.kind === "slider") {
      const input = make(doc, "input", { type: "range", id, min: "0", max: String(c.values.length - 1),
                                         step: "1", "data-name": c.name });
      const out = make(doc, "output", { for: id, "aria-hidden": "true" });
      panel.appendChild(make(doc, "div", { className: "ch11-frames-row" },
                             [make(doc, "label", { for: id, text: c.label }), input, out]));
      inputs.push({
        set(i) { input.value = String(i); input.setAttribute("aria-valuetext", `${c.label} = ${c.text[i]}`); out.textContent = c.text[i]; },
        index() { return Number(input.value); },
        node: input,
      });
    } else {
      const set = make(doc, "fieldset", { "data-name": c.name }, [make(doc, "legend", { text: c.label })]);
      const radios = c.values.map((v, i) => {
        const radio = make(doc, "input", { type: "radio", name: id, value: String(i), "aria-label": `${c.label} ${c.text[i]}` });
        set.appendChild(make(doc, "label", { className: "ch11-frames-choice" },
                             [radio, make(doc, "span", { text: c.text[i], "aria-hidden": "true" })]));
        return radio;
      });
      panel.appendChild(set);
      inputs.push({
        set(i) { radios.forEach((r, j) => { r.checked = j === i; }); },
        index() { const r = radios.findIndex((x) => x.checked); return r < 0 ? 0 : r; },
        node: set,
      });
    }
  });

  // the decoded image: a canvas of the frame's own size, scaled up by CSS
  let picture;
  if (sheet.kind === "images") {
    picture = make(doc, "img", { className: "ch11-frames-picture", width: String(sheet.width),
                                 height: String(sheet.height), alt: "" });
  } else {
    picture = make(doc, "canvas", { className: "ch11-frames-image", role: "img", width: String(sheet.width),
                                    height: String(sheet.height) });
    picture.style.width = `${sheet.width * sheet.scale}px`;
    picture.style.height = `${sheet.height * sheet.scale}px`;
  }
  root.appendChild(picture);

  let marker = null;
  if (scatter.png) {
    const box = make(doc, "div", { className: "ch11-frames-scatter" });
    box.appendChild(make(doc, "img", { src: "data:image/png;base64," + scatter.png, alt: scatter.alt,
                                       width: String(scatter.width), height: String(scatter.height) }));
    marker = doc.createElementNS("http://www.w3.org/2000/svg", "svg");
    marker.setAttribute("class", "ch11-frames-marker");
    marker.setAttribute("viewBox", "-9 -9 18 18");
    marker.setAttribute("aria-hidden", "true");
    marker.innerHTML = '<path d="M-6,-6L6,6M6,-6L-6,6" stroke="#fff" stroke-width="6" stroke-linecap="round"/>' +
                       '<path d="M-6,-6L6,6M6,-6L-6,6" stroke="#000" stroke-width="3" stroke-linecap="round"/>';
    box.appendChild(marker);
    root.appendChild(box);
  }
  el.appendChild(root);

  let frames = null;
  let current = -1;
  const ctx = sheet.kind === "images" ? null : picture.getContext("2d");

  function indicesOf(value) {
    return controls.map((c) => {
      const v = value ? value[c.name] : undefined;
      if (v === undefined) return Math.floor(c.values.length / 2);
      const numeric = c.kind === "slider" && typeof c.values[0] === "number";
      return numeric ? nearestIndex(c.values, Number(v)) : Math.max(0, c.values.indexOf(v));
    });
  }

  function draw(idx) {
    idx.forEach((i, k) => inputs[k].set(i));
    const frame = idx.reduce((s, i, k) => s + i * strides[k], 0);
    const words = controls.map((c, k) => `${c.label} = ${c.text[idx[k]]}`).join(", ");
    picture.setAttribute(sheet.kind === "images" ? "alt" : "aria-label", `${model.get("image_alt")} (${words})`);
    picture.setAttribute("data-frame", String(frame));
    if (marker) {
      const x = controls[scatter.x].values[idx[scatter.x]];
      const y = scatter.y == null ? 0 : controls[scatter.y].values[idx[scatter.y]];
      const [[u0, v0], [u1, v1]] = scatter.px;
      const [[x0, y0], [x1, y1]] = scatter.data;
      const u = u0 + (x - x0) / (x1 - x0) * (u1 - u0);
      const v = v0 + (y - y0) / (y1 - y0) * (v1 - v0);
      marker.style.left = `${(100 * u / scatter.width).toFixed(3)}%`;
      marker.style.top = `${(100 * v / scatter.height).toFixed(3)}%`;
    }
    if (!frames || frame === current) return;
    current = frame;
    if (frames.urls) {
      picture.src = frames.urls[frame];
      return;
    }
    const n = sheet.width * sheet.height;
    const image = ctx.createImageData(sheet.width, sheet.height);
    for (let i = 0; i < n; i++) {
      const g = frames.gray[frame * n + i];
      image.data[4 * i] = g;
      image.data[4 * i + 1] = g;
      image.data[4 * i + 2] = g;
      image.data[4 * i + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  function fromInputs() {
    const idx = inputs.map((x) => x.index());
    draw(idx);
    const value = {};
    controls.forEach((c, k) => { value[c.name] = c.values[idx[k]]; });
    model.set("value", value);
    model.save_changes();
  }

  for (const x of inputs) {
    x.node.addEventListener("input", fromInputs);
    x.node.addEventListener("change", fromInputs);
  }
  const onValue = () => draw(indicesOf(model.get("value")));
  model.on("change:value", onValue);
  draw(indicesOf(model.get("value")));
  readSheet(doc, sheet).then((f) => {
    frames = f;
    current = -1;
    draw(indicesOf(model.get("value")));
    root.setAttribute("data-ready", "true");
  }).catch((err) => {
    root.setAttribute("data-error", String(err));
    console.error(err);
  });
  return () => model.off("change:value", onValue);
}

export default { render };
