"""Every decimal a lesson or solution notebook's text quotes appears in an output of the same
notebook, so a sentence left stale by a re-run fails here. Settings and constants of the lecture
that no cell prints are on the short, commented allow-list tools.refresh.QUOTED_SETTINGS."""

from __future__ import annotations

import pytest

from tools import nbio, refresh
from tools.course import series
from tools.recipe_users import notebook_key


@pytest.mark.parametrize("path", series(), ids=lambda p: p.name)
def test_every_quoted_decimal_is_in_an_output(path):
    key = notebook_key(path)
    stale = refresh.unquoted_decimals(nbio.read_notebook(path), key)
    assert not stale, (f"{path.name}: numbers the text quotes but no output shows (compute and print them, "
                       "quote them as printed, or, for a setting, add them to tools.refresh.QUOTED_SETTINGS "
                       "with a comment):\n" + "\n".join(s.line(key) for s in stale))


def test_the_allow_list_is_short_and_says_what_each_number_is():
    entries = [(k, n, why) for k, numbers in refresh.QUOTED_SETTINGS.items() for n, why in numbers.items()]
    assert len(entries) <= 40
    for key, number, why in entries:
        assert refresh.DECIMAL.fullmatch(number) and len(why) >= 8, (key, number, why)
