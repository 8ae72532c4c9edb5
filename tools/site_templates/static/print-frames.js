// A slider on paper: before the page is printed, each frame explorer (utils/frame_explorer.js, drawn
// on the site by the widget hook) gets a small grid of frames after it: for every control, the frames
// at up to five evenly spaced slider positions (every choice, up to ten), the other controls at their
// shown values, each with its caption ("z1 = -2.0") and the explorer's image description as alt text.
// print.css shows the grid and hides the controls on paper; the screen never shows it.
// window.ch11PrintFrames() builds the grids (the handout calls it; a browser's Print runs it on
// beforeprint) and resolves with the number of grids once every explorer on the page is drawn.
(function () {
  const POSITIONS = 5, CHOICES = 10, WAIT_MS = 20000;

  function picture(root) { return root.querySelector("canvas.ch11-frames-image, img.ch11-frames-picture"); }
  function snap(pic) { return pic.tagName === "CANVAS" ? pic.toDataURL("image/png") : pic.currentSrc || pic.src; }
  function spread(n, k) {
    if (n <= k) return [...Array(n).keys()];
    return [...new Set([...Array(k).keys()].map((i) => Math.round(i * (n - 1) / (k - 1))))];
  }
  function fire(node) {
    node.dispatchEvent(new Event("input", {bubbles: true}));
    node.dispatchEvent(new Event("change", {bubbles: true}));
  }

  function grid(root) {
    const pic = picture(root);
    if (!pic) return null;
    const width = pic.tagName === "CANVAS" ? Math.min(96, 3 * pic.width) : Math.min(220, pic.naturalWidth || 220);
    const out = document.createElement("div");
    out.className = "ch11-print-frames";
    const rows = [];
    for (const input of root.querySelectorAll('input[type="range"]')) {
      const label = root.querySelector(`label[for="${input.id}"]`);
      const keep = input.value;
      const n = Number(input.max) - Number(input.min) + 1;
      const frames = spread(n, POSITIONS).map((i) => {
        input.value = String(Number(input.min) + i);
        fire(input);
        return {src: snap(pic), alt: pic.getAttribute("aria-label") || pic.getAttribute("alt") || "",
                caption: input.getAttribute("aria-valuetext") || input.value};
      });
      input.value = keep;
      fire(input);
      rows.push({label: label ? label.textContent : "", frames});
    }
    for (const set of root.querySelectorAll("fieldset")) {
      const radios = [...set.querySelectorAll('input[type="radio"]')];
      const keep = radios.find((r) => r.checked);
      const frames = spread(radios.length, CHOICES).map((i) => {
        radios.forEach((r, j) => { r.checked = j === i; });
        fire(radios[i]);
        return {src: snap(pic), alt: pic.getAttribute("aria-label") || pic.getAttribute("alt") || "",
                caption: radios[i].getAttribute("aria-label") || radios[i].value};
      });
      radios.forEach((r) => { r.checked = r === keep; });
      if (keep) fire(keep);
      const legend = set.querySelector("legend");
      rows.push({label: legend ? legend.textContent : "", frames});
    }
    for (const row of rows) {
      const div = document.createElement("div");
      div.className = "ch11-print-row";
      const title = document.createElement("div");
      title.className = "ch11-print-label";
      title.textContent = row.label;
      div.appendChild(title);
      for (const f of row.frames) {
        const fig = document.createElement("figure");
        const img = document.createElement("img");
        img.src = f.src;
        img.alt = f.alt;
        img.style.width = `${width}px`;
        const cap = document.createElement("figcaption");
        cap.textContent = f.caption;
        fig.append(img, cap);
        div.appendChild(fig);
      }
      out.appendChild(div);
    }
    return rows.length ? out : null;
  }

  async function drawn() {
    const start = Date.now();
    for (;;) {
      const hosts = [...document.querySelectorAll("[data-ch11-frames]")];
      const done = hosts.every((h) => h.querySelector(".ch11-frames[data-ready], .ch11-frames[data-error]")
                                      || /could not be drawn/.test(h.textContent));
      if (done || Date.now() - start > WAIT_MS) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  let built = null;
  function buildAll() {
    let n = 0;
    for (const root of document.querySelectorAll(".ch11-frames[data-ready]")) {
      const next = root.nextElementSibling;
      if (next && next.classList.contains("ch11-print-frames")) { n++; continue; }
      const g = grid(root);
      if (g) { root.after(g); n++; }
    }
    return n;
  }
  window.ch11PrintFrames = function () {
    if (!built) built = drawn().then(buildAll);
    return built;
  };
  window.addEventListener("beforeprint", buildAll);   // a browser's own Print (the explorers are drawn by then)
})();
