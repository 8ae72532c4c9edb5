"""Maintainers' tools for the series (not installed with the students' `utils` package).

    python -m tools.course sync            # badges, Colab setup cells, title layout, README's table
    python -m tools.course check           # exit 1 if anything is out of step
    python -m tools.course release-check   # before tagging a release: ref, tag and sync agree
"""
