"""Benchmarks of the chapter-11 notebooks' models on this machine.

``python -m benchmarks.run`` (``make bench``) measures the machine's matrix-multiply
ceiling, trains each training notebook's default model and two anchor
configurations written from their published settings, times every notebook in
its default and its quick mode and under strict nbval, and writes
``benchmarks/results.json`` and ``benchmarks/RESULTS.md`` (times also in seconds at
200 GFLOP/s). Each training part runs in a fresh Python subprocess.
``--smoke`` runs the same code on a small subset (``make bench-smoke``).
``python -m benchmarks.first_epoch`` measures whether a training inherits a slow
first epoch from the one trained before it in the same process.
"""
