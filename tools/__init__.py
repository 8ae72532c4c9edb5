"""Maintainers' tools for the series (not installed with the students' `utils` package); MAINTAINING.md.

    python -m tools.refresh 02             # make refresh NB=02: run, sync, annotate, nbval, report
    python -m tools.course sync            # badges, Colab setup cells, title layout, README's tables
    python -m tools.course check           # exit 1 if anything is out of step
    python -m tools.course release-check   # before tagging a release: ref, tag and sync agree
    python -m tools.recipe_users           # which notebooks read each setting of utils/recipes.py

tools/nbio.py is the one module that reads, executes and writes notebook files.
"""
