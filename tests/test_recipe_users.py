"""tools/recipe_users.py: the declared map of which notebooks read each setting of utils/recipes.py
agrees with what the notebooks and the utils defaults they call read; the analysis behind it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import recipe_users
from tools.recipe_users import USERS, Utils, computed_users, format_users, notebook_uses, recipe_values

ROOT = Path(__file__).resolve().parent.parent


def test_the_declared_map_is_what_the_code_reads():
    computed = computed_users()
    assert USERS == computed, ("tools/recipe_users.py's USERS is out of date; replace it with the output of "
                               "`python -m tools.recipe_users`:\n" + format_users(computed))


def test_every_setting_is_in_the_map_and_names_real_notebooks():
    names = recipe_values((ROOT / "utils" / "recipes.py").read_text(encoding="utf-8"))
    assert list(USERS) == list(names)
    keys = set(recipe_users.notebook_paths())
    assert keys >= {n for users in USERS.values() for n in users}
    assert {"02", "06", "02-solutions"} <= keys


def test_the_known_shared_setting_is_named():
    # notebook 06 trains its anomaly autoencoder with notebook 02's epochs; 02's solutions retrain 02's model
    assert USERS["AE_EPOCHS"] == ("02", "06", "02-solutions")


# --- the analysis on a small made-up repository ---------------------------------------------------

UTILS = {
    "recipes.py": "A = 1\nB = 2\nC = 3\nD = 4\nE = 5\nF = 6\nG = 7\nUNUSED = 8\n",
    "__init__.py": "",
    "core.py": '''
from utils import recipes
from utils.recipes import F as EFF

ALIAS = recipes.G                 # a module constant derived from a recipe


def inner(x, d=recipes.D):
    return x + d


def train(x, epochs=None, width=recipes.B):
    epochs = recipes.A if epochs is None else epochs
    if x is None:
        raise ValueError(f"x is None; e.g. {recipes.UNUSED}")   # a message only: not a read
    return inner(x) + epochs + width + EFF


def explicit(x):
    return inner(x, d=0)          # passes d: recipes.D not read


class Model:
    def __init__(self, size=recipes.C):
        self.size = size

    def step(self):
        return recipes.E
''',
    "pkg/__init__.py": "from .sub import helper\n",
    "pkg/sub.py": "from utils.core import ALIAS\n\n\ndef helper():\n    return ALIAS\n",
}


def _nb(*sources: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
        for i, s in enumerate(sources)]}


@pytest.fixture
def repo(tmp_path):
    for name, text in UTILS.items():
        path = tmp_path / "utils" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "notebooks" / "solutions").mkdir(parents=True)
    return tmp_path


def _uses(repo: Path, *sources: str) -> set[str]:
    path = repo / "notebooks" / "01_x.ipynb"
    path.write_text(json.dumps(_nb(*sources)))
    return notebook_uses(path, Utils(repo))


def test_defaults_are_read_unless_the_call_passes_them(repo):
    assert _uses(repo, "from utils.core import train\ntrain(1)") == {"A", "B", "D", "F"}
    assert _uses(repo, "from utils.core import train\ntrain(1, epochs=3)") == {"B", "D", "F"}
    assert _uses(repo, "from utils.core import train\ntrain(1, 3, 64)") == {"D", "F"}
    assert _uses(repo, "from utils.core import explicit\nexplicit(1)") == set()
    assert _uses(repo, "from utils import core\ncore.inner(2)") == {"D"}


def test_names_modules_classes_and_reexports(repo):
    assert _uses(repo, "from utils import recipes\nprint(recipes.C)") == {"C"}
    assert _uses(repo, "from utils.recipes import A as a\nprint(a)") == {"A"}
    assert _uses(repo, "import utils.core\nutils.core.Model(size=2)") == {"E"}
    assert _uses(repo, "from utils.core import Model\nModel()") == {"C", "E"}
    assert _uses(repo, "from utils.core import ALIAS\nprint(ALIAS)") == {"G"}
    assert _uses(repo, "from utils.pkg import helper\nhelper()") == {"G"}
    assert _uses(repo, "%matplotlib inline\nimport numpy as np\nx = np.zeros(3)") == set()


def test_the_map_of_a_made_up_repository(repo):
    (repo / "notebooks" / "01_a.ipynb").write_text(json.dumps(_nb("from utils.core import train\ntrain(1)")))
    (repo / "notebooks" / "solutions" / "01_a_solutions.ipynb").write_text(json.dumps(_nb(
        "from utils import recipes\nrecipes.E")))
    users = computed_users(repo)
    assert users == {"A": ("01",), "B": ("01",), "C": (), "D": ("01",), "E": ("01-solutions",), "F": ("01",),
                     "G": (), "UNUSED": ()}
    assert "    'E':      ('01-solutions',)," in format_users(users)


def test_recipe_values_reads_literals_and_expressions():
    assert recipe_values("A = 1\nB: float = 1 / 6\nC = (1, 2)\nlower = 3\n") == {"A": 1, "B": "1 / 6", "C": (1, 2)}
