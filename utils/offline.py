"""Moved: the atomic writes are in :mod:`utils.data`, the offline copies of the data in ``tools/offline_data.py``.

Only ``benchmarks`` still imports ``atomic_write_text`` from here; delete this file once it imports it from
:mod:`utils.data`.
"""

from utils.data import atomic_write_bytes, atomic_write_text  # noqa: F401
