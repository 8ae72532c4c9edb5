// Typeset the page's TeX with KaTeX (loaded just before this file). The same delimiters as the
// notebooks use in JupyterLab: $...$ and \(...\) inline, $$...$$, \[...\] and LaTeX environments
// displayed. Text inside <pre>, <code> and the widgets is left alone. When done, <html> gets
// data-math="done" (the browser test waits for it); a formula KaTeX cannot parse is shown in red
// with class "katex-error", which the browser test reports.
document.addEventListener("DOMContentLoaded", function () {
  renderMathInElement(document.body, {
    delimiters: [
      {left: "$$", right: "$$", display: true},
      {left: "\\[", right: "\\]", display: true},
      {left: "\\begin{equation}", right: "\\end{equation}", display: true},
      {left: "\\begin{equation*}", right: "\\end{equation*}", display: true},
      {left: "\\begin{align}", right: "\\end{align}", display: true},
      {left: "\\begin{align*}", right: "\\end{align*}", display: true},
      {left: "\\begin{aligned}", right: "\\end{aligned}", display: true},
      {left: "\\begin{gather}", right: "\\end{gather}", display: true},
      {left: "$", right: "$", display: false},
      {left: "\\(", right: "\\)", display: false}
    ],
    ignoredClasses: ["jupyter-widgets"],
    throwOnError: false,
    errorColor: "#cc0000"
  });
  document.documentElement.dataset.math = "done";
});
