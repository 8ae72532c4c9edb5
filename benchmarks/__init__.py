"""Benchmarks of the chapter-11 notebooks' models on this machine.

``python -m benchmarks.run`` (``make bench``) measures the machine's matrix-multiply
ceiling, trains each training notebook's default model and two anchor
configurations written from their published settings, times every notebook,
and writes ``benchmarks/results.json`` and ``benchmarks/RESULTS.md``.
``--smoke`` runs the same code on a small subset (``make bench-smoke``).
"""
