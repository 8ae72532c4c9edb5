"""Which notebooks read each setting of ``utils/recipes.py``: the declared map and the check behind it.

:data:`USERS` is the declared map: every constant of ``utils/recipes.py`` lists the notebooks
whose default run reads it, either by name (``recipes.AE_EPOCHS``, ``from utils.recipes import
AE_EPOCHS``) or through a ``utils`` function the notebook calls whose default it is (a
parameter's default, or ``recipes.X if p is None else p`` in the function's body, followed
through the calls ``utils`` makes, as long as the caller does not pass that argument; a read
inside a ``raise`` only words an error message and does not count).
``tools.refresh`` reads the map to name the notebooks a changed setting touches;
``tests/test_recipe_users.py`` checks it against :func:`computed_users`.

Notebooks are named ``"02"`` (``notebooks/02_*.ipynb``) and ``"02-solutions"``
(``notebooks/solutions/02_*.ipynb``).

    python -m tools.recipe_users          # print the map as computed, in the form USERS is written
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tools import nbio

ROOT = Path(__file__).resolve().parent.parent

# Computed by `python -m tools.recipe_users` and checked by tests/test_recipe_users.py; QUICK_* settings
# change only quick-mode runs (the stored outputs come from the default run).
USERS: dict[str, tuple[str, ...]] = {
    'SEED':                           ('02', '03', '06', '02-solutions', '03-solutions', '06-solutions'),
    'BATCH_SIZE':                     ('02', '03', '06', '02-solutions', '03-solutions'),
    'LEARNING_RATE':                  ('02',),
    'SCHEDULE':                       ('02', '04', '05', '06', '04-solutions', '05-solutions'),
    'WARMUP_FRACTION':                ('02', '04', '05', '06', '04-solutions'),
    'FINAL_LR_FRACTION':              ('02', '04', '05', '06', '04-solutions'),
    'STEPS_PER_EXECUTION':            ('02', '04', '05', '06', '04-solutions'),
    'ADAM_BETAS':                     ('02', '04', '05', '06', '04-solutions'),
    'AE_WIDTHS':                      ('02', '03', '06', '02-solutions', '03-solutions'),
    'AE_KERNEL_SIZE':                 ('03', '04', '05', '06', '02-solutions', '03-solutions', '04-solutions', '05-solutions'),
    'AE_EPOCHS':                      ('02', '06', '02-solutions'),
    'AE_LATENT_SIZES':                ('02',),
    'AE_GOAL_LATENT_SIZE':            ('02',),
    'AE_GOAL_SSE_RATIO':              ('02',),
    'AE_CE_WIDTHS':                   ('02',),
    'AE_CE_EPOCHS':                   ('02',),
    'AE_CE_BATCH_SIZE':               ('02',),
    'AE_CE_ADAM_BETAS':               ('02',),
    'AE_CE_GOAL_SSE_RATIO':           ('02',),
    'DAE_LATENT_SIZE':                ('03', '03-solutions'),
    'DAE_EPOCHS':                     ('03', '03-solutions'),
    'DAE_PLAIN_EPOCHS':               ('03',),
    'DAE_SIGMA':                      ('03', '03-solutions'),
    'DAE_NOISE_SEED':                 ('03', '03-solutions'),
    'DAE_TEST_NOISE_SEED':            ('03', '03-solutions'),
    'DAE_MASK_FRACTION':              ('03',),
    'DAE_GOAL_PSNR_DB':               ('03',),
    'AE_ABLATION_TRAIN_IMAGES':       ('02',),
    'AE_ABLATION_TEST_IMAGES':        ('02',),
    'AE_ABLATION_QUICK_TRAIN_IMAGES': ('02',),
    'AE_ABLATION_SEEDS':              ('02',),
    'DAE_SEED_TRAIN_IMAGES':          ('03',),
    'DAE_SEED_QUICK_TRAIN_IMAGES':    ('03',),
    'DAE_SEED_EPOCHS':                ('03',),
    'DAE_SEEDS':                      ('03',),
    'DAE_MIXED_SIGMA_MAX':            ('03',),
    'QUICK_SEEDS':                    ('02', '03'),
    'VAE_LATENT_SIZES':               ('04',),
    'VAE_SEED':                       ('04', '06', '04-solutions'),
    'VAE_EPOCHS':                     ('06', '04-solutions'),
    'VAE_BATCH_SIZE':                 ('04', '06', '04-solutions'),
    'VAE_LEARNING_RATE':              ('04', '05', '04-solutions'),
    'VAE_ENCODER_WIDTHS':             ('04', '05', '06', '04-solutions', '05-solutions'),
    'VAE_ENCODER_HIDDEN':             ('04', '05', '06', '04-solutions', '05-solutions'),
    'VAE_DECODER_WIDTHS':             ('04', '05', '06', '04-solutions', '05-solutions'),
    'VAE_DECODER_HIDDEN':             ('04', '05', '06', '04-solutions', '05-solutions'),
    'VAE_DECODER_FINAL_KERNEL':       ('04', '05', '06', '04-solutions', '05-solutions'),
    'VAE_BINARIZE_THRESHOLD':         ('04', '06', '04-solutions'),
    'VAE_IS_SAMPLES':                 ('04',),
    'VAE_GOAL_LATENT_SIZE':           (),
    'VAE_GOAL_ELBO':                  ('04',),
    'N_CLASSES':                      ('05', '05-solutions'),
    'CVAE_LATENT_SIZE':               ('05', '05-solutions'),
    'CVAE_EPOCHS':                    ('05', '05-solutions'),
    'CVAE_SEED':                      ('05', '05-solutions'),
    'BETA_LATENT_SIZE':               ('05', '05-solutions'),
    'BETA_VALUES':                    ('05',),
    'BETA_EPOCHS':                    ('05', '05-solutions'),
    'BETA_SEED':                      ('05', '05-solutions'),
    'ACTIVE_UNIT_THRESHOLD':          ('05',),
    'NB04_VAE_EPOCHS':                ('04', '04-solutions'),
    'NB04_QUICK_VAE_EPOCHS':          ('04', '04-solutions'),
    'NB04_QUICK_VAE_BATCH_SIZE':      ('04', '04-solutions'),
    'NB04_IS_IMAGES':                 ('04',),
    'NB04_QUICK_IS_IMAGES':           ('04',),
    'NB05_BATCH_SIZE':                ('05', '05-solutions'),
    'NB05_CVAE_EPOCHS':               ('05', '05-solutions'),
    'NB05_BETA_EPOCHS':               ('05', '05-solutions'),
    'NB05_BETA_TRAIN_IMAGES':         ('05', '05-solutions'),
    'NB05_BETA_SEEDS':                ('05', '05-solutions'),
    'NB05_QUICK_BETA_SEEDS':          ('05', '05-solutions'),
    'NB05_QUICK_BETA_IMAGES':         ('05', '05-solutions'),
    'NB05_KNN_REFERENCE_IMAGES':      ('05',),
    'NB05_KNN_K':                     ('05',),
    'NB05_RATE_DRAWS':                ('05',),
    'NB05_ACTIVE_THRESHOLDS':         ('05',),
    'COLOR_MAX_SIDE':                 ('06', '06-solutions'),
    'COLOR_TEST_PHOTOS':              ('06', '06-solutions'),
    'COLOR_PATCH':                    ('06',),
    'COLOR_STRIDE':                   ('06',),
    'COLOR_WIDTHS':                   ('06',),
    'COLOR_EPOCHS':                   ('06',),
    'COLOR_LEARNING_RATE':            ('06',),
    'COLOR_BATCH_SIZE':               ('06',),
    'QUICK_TRAIN_IMAGES':             ('01', '02', '03', '04', '05', '06', '02-solutions', '03-solutions', '04-solutions', '05-solutions'),
    'QUICK_EPOCH_SHARE':              ('01', '02', '03', '04', '05', '06', '02-solutions', '03-solutions', '04-solutions', '05-solutions'),
    'QUICK_EPOCHS':                   ('01', '02', '03', '04', '05', '06', '02-solutions', '03-solutions', '04-solutions', '05-solutions'),
    'QUICK_BATCH_SHARE':              ('01', '02', '03', '04', '05', '06', '02-solutions', '03-solutions'),
    'QUICK_TEST_IMAGES':              ('01', '02', '03', '04', '05', '06', '02-solutions', '03-solutions', '05-solutions', '06-solutions'),
    'QUICK_GOAL_VAE_ELBO':            ('04',),
}


def notebook_key(path: Path, root: Path = ROOT) -> str:
    """``"02"`` for notebooks/02_*.ipynb, ``"02-solutions"`` for notebooks/solutions/02_*.ipynb."""
    number = path.name[:2]
    return f"{number}-solutions" if path.parent.name == "solutions" else number


def notebook_paths(root: Path = ROOT) -> dict[str, Path]:
    """Every lesson and solution notebook by its key (see :func:`notebook_key`)."""
    from tools.course import series

    return {notebook_key(p, root): p for p in series(root)}


# --------------------------------------------------------------------------- the recipes module

def recipe_values(text: str) -> dict[str, object]:
    """The module-level constants of a ``recipes.py`` text: name -> value (its source text when it
    is not a literal)."""
    out: dict[str, object] = {}
    for node in ast.parse(text).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for t in targets:
            if isinstance(t, ast.Name) and t.id.isupper() and node.value is not None:
                try:
                    out[t.id] = ast.literal_eval(node.value)
                except ValueError:
                    out[t.id] = ast.unparse(node.value)
    return out


# --------------------------------------------------------------------------- utils, statically

@dataclass
class Function:
    """What one function (or class) of ``utils`` reads of the recipes."""

    params: list[str] = field(default_factory=list)
    defaults: dict[str, set[str]] = field(default_factory=dict)      # param -> recipes read by its default
    tied: dict[str, set[str]] = field(default_factory=dict)          # param -> recipes read when it is None
    always: set[str] = field(default_factory=set)                    # recipes read in any case
    calls: list[tuple[str, str, set[str]]] = field(default_factory=list)   # (module, name, params passed)


class Utils:
    """A static index of the ``utils`` package: its imports, functions, classes and constants."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = root
        self.trees: dict[str, ast.Module] = {}
        for path in sorted(p for package in ("utils", "exercises") for p in (root / package).rglob("*.py")):
            rel = path.relative_to(root).with_suffix("")
            parts = list(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
            self.trees[".".join(parts)] = ast.parse(path.read_text(encoding="utf-8"))
        self.packages = {m for m in self.trees if (root / Path(*m.split(".")) / "__init__.py").exists()}
        self.imports = {m: self._imports(m, tree.body) for m, tree in self.trees.items()}
        self._defs = {m: {n.name: n for n in tree.body
                          if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
                      for m, tree in self.trees.items()}
        self._constants = {m: {t.id: n.value for n in tree.body if isinstance(n, ast.Assign)
                               for t in n.targets if isinstance(t, ast.Name)}
                           for m, tree in self.trees.items()}
        self._functions: dict[tuple[str, str], Function] = {}
        self._uses: dict[tuple[str, str, frozenset], set[str]] = {}

    # imports ------------------------------------------------------------------------------------
    def _absolute(self, module: str, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = module.split(".") if module in self.packages else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def _imports(self, module: str, body: list[ast.stmt]) -> dict[str, tuple[str, str | None]]:
        """Local name -> (module, name) or (module, None) for a module, for the imports in ``body``."""
        out: dict[str, tuple[str, str | None]] = {}
        for node in body:
            if isinstance(node, ast.ImportFrom):
                source = self._absolute(module, node)
                for a in node.names:
                    sub = f"{source}.{a.name}"
                    out[a.asname or a.name] = (sub, None) if sub in self.trees else (source, a.name)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        out[a.asname] = (a.name, None)
                    else:
                        out[a.name.split(".")[0]] = (a.name.split(".")[0], None)
        return out

    def resolve(self, module: str, name: str, seen: frozenset = frozenset()) -> tuple[str, str] | None:
        """Where ``name`` of ``module`` is defined: (module, name) of a utils def/constant/recipe, or
        (module, "") for a module."""
        if (module, name) in seen or module not in self.trees:
            return None
        seen = seen | {(module, name)}
        if name in self._defs[module] or name in self._constants[module]:
            return module, name
        target = self.imports[module].get(name)
        if target is None:
            sub = f"{module}.{name}"
            return (sub, "") if sub in self.trees else None
        source, attr = target
        if attr is None:
            return (source, "") if source in self.trees else None
        return self.resolve(source, attr, seen)

    # reads of the recipes ----------------------------------------------------------------------
    def recipe_refs(self, module: str, node: ast.AST, local: dict[str, tuple[str, str | None]] | None = None,
                    shadowed: set[str] = frozenset()) -> set[str]:
        """Recipe constants ``node`` reads directly (attribute, imported name, or a derived constant)."""
        found: set[str] = set()
        for sub in ast.walk(node):
            target = self._target(module, sub, local, shadowed)
            if target and target[0] == "utils.recipes" and target[1]:
                found.add(target[1])
            elif target and target[1] and target[1] in self._constants.get(target[0], {}):
                found |= self.recipe_refs(target[0], self._constants[target[0]][target[1]])
        return found

    def _target(self, module: str, node: ast.AST, local=None, shadowed: set[str] = frozenset()):
        """The utils (module, name) an expression names, or None."""
        scope = {**self.imports.get(module, {}), **(local or {})}
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in shadowed:
            if local is not None and node.id in local:
                source, attr = local[node.id]
                return (source, "") if attr is None else self.resolve(source, attr) or (source, attr)
            return self.resolve(module, node.id) if module in self.trees else None
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            base = node.value
            chain = []
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            if not isinstance(base, ast.Name) or base.id in shadowed:
                return None
            if base.id in scope and scope[base.id][1] is None:
                mod = ".".join([scope[base.id][0]] + chain[::-1])
            elif module in self.trees and not chain and (r := self.resolve(module, base.id)) and r[1] == "":
                mod = r[0]
            else:
                return None
            if mod == "utils.recipes":
                return mod, node.attr
            return self.resolve(mod, node.attr) if mod in self.trees else None
        return None

    def function(self, module: str, name: str) -> Function:
        key = (module, name)
        if key not in self._functions:
            self._functions[key] = Function()   # a recursion guard while it is built
            self._functions[key] = self._build(module, self._defs[module][name])
        return self._functions[key]

    def _build(self, module: str, node: ast.AST) -> Function:
        f = Function()
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    sub = self._build(module, item)
                    if item.name == "__init__":
                        f.params, f.defaults, f.tied = sub.params[1:], sub.defaults, sub.tied
                        f.always |= sub.always
                    else:   # other methods run with their own defaults
                        f.always |= sub.always | set().union(*sub.defaults.values(), *sub.tied.values())
                    f.calls += sub.calls
            for base in node.bases:
                f.always |= self.recipe_refs(module, base)
            return f
        args = node.args
        positional = args.posonlyargs + args.args
        f.params = [a.arg for a in positional + args.kwonlyargs]
        for a, d in zip(positional[len(positional) - len(args.defaults):], args.defaults):
            f.defaults[a.arg] = self.recipe_refs(module, d)
        for a, d in zip(args.kwonlyargs, args.kw_defaults):
            if d is not None:
                f.defaults[a.arg] = self.recipe_refs(module, d)
        params = set(f.params)
        # reads inside a raise only word an error message: they change no result
        in_raise = {id(inner) for sub in ast.walk(node) if isinstance(sub, ast.Raise) for inner in ast.walk(sub)}
        tied_nodes: dict[int, str] = {}
        for sub in ast.walk(node):
            test = getattr(sub, "test", None) if isinstance(sub, (ast.IfExp, ast.If)) else None
            p = _is_none_test(test)
            if p in params:
                for part in (sub.body if isinstance(sub.body, list) else [sub.body]):
                    for inner in ast.walk(part):
                        tied_nodes[id(inner)] = p
        for sub in ast.walk(node):
            if sub is node or id(sub) in in_raise:
                continue
            if isinstance(sub, (ast.Name, ast.Attribute)):
                target = self._target(module, sub, shadowed=params)
                if target and target[0] == "utils.recipes" and target[1]:
                    names = {target[1]}
                elif target and target[1] and target[1] in self._constants.get(target[0], {}):
                    names = self.recipe_refs(target[0], self._constants[target[0]][target[1]])
                else:
                    names = set()
                if id(sub) in tied_nodes:
                    f.tied.setdefault(tied_nodes[id(sub)], set()).update(names)
                elif names and not _inside(sub, args):
                    f.always |= names
            if isinstance(sub, ast.Call):
                target = self._target(module, sub.func, shadowed=params)
                if target and target[1] and target[1] in self._defs.get(target[0], {}):
                    f.calls.append((target[0], target[1], _passed(sub)))
            elif isinstance(sub, (ast.Name, ast.Attribute)) and not _is_call_func(sub, node):
                target = self._target(module, sub, shadowed=params)
                if target and target[1] and target[1] in self._defs.get(target[0], {}):
                    f.calls.append((target[0], target[1], set()))   # a function handed on: its defaults
        for p in params:   # a default read in a tied branch counts once, as the param's
            f.defaults.setdefault(p, set())
        return f

    def uses(self, module: str, name: str, passed: set[str] | frozenset = frozenset(),
             stack: frozenset = frozenset()) -> set[str]:
        """Recipes read when ``module.name`` is called with the arguments ``passed`` (names or
        positions ``"#0"``, ``"#1"``, ...)."""
        if name in self._constants.get(module, {}):
            return self.recipe_refs(module, self._constants[module][name])
        if name not in self._defs.get(module, {}):
            return set()
        f = self.function(module, name)
        given = {f.params[int(p[1:])] if p.startswith("#") and int(p[1:]) < len(f.params) else p for p in passed}
        key = (module, name, frozenset(given))
        if key in self._uses:
            return self._uses[key]
        if key in stack:
            return set()
        out = set(f.always)
        for p in f.params:
            if p not in given:
                out |= f.defaults.get(p, set()) | f.tied.get(p, set())
        for m, n, q in f.calls:
            out |= self.uses(m, n, q, stack | {key})
        self._uses[key] = out
        return out


def _is_none_test(test: ast.AST | None) -> str | None:
    """``p`` for a test ``p is None``, else None."""
    if (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Is) and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None):
        return test.left.id
    return None


def _inside(node: ast.AST, args: ast.arguments) -> bool:
    """Whether ``node`` is part of the function's own defaults (counted per parameter already)."""
    return any(node is sub for d in [*args.defaults, *[k for k in args.kw_defaults if k]] for sub in ast.walk(d))


def _is_call_func(node: ast.AST, root: ast.AST) -> bool:
    return any(isinstance(c, ast.Call) and c.func is node for c in ast.walk(root))


def _passed(call: ast.Call) -> set[str]:
    """The arguments a call gives: keyword names and positions ``#i`` (``*args``/``**kwargs`` give nothing known)."""
    out = {f"#{i}" for i, a in enumerate(call.args) if not isinstance(a, ast.Starred)}
    if any(isinstance(a, ast.Starred) for a in call.args):
        out = {f"#{i}" for i in range(next(i for i, a in enumerate(call.args) if isinstance(a, ast.Starred)))}
    return out | {k.arg for k in call.keywords if k.arg}


# --------------------------------------------------------------------------- the notebooks

def _code(nb) -> str:
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
            cells.append("\n".join(lines))
    return "\n\n".join(cells)


def notebook_uses(path: Path, index: Utils) -> set[str]:
    """Recipes the notebook at ``path`` reads: by name, and through the utils functions it calls."""
    tree = ast.parse(_code(nbio.read_notebook(path)))
    local: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith(("utils", "exercises")):
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                local[a.asname or a.name] = (sub, None) if sub in index.trees else (node.module, a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(("utils", "exercises")):
                    local[a.asname or a.name.split(".")[0]] = (a.asname and a.name or "utils", None)
    found: set[str] = set()
    calls = {id(c.func): c for c in ast.walk(tree) if isinstance(c, ast.Call)}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Name, ast.Attribute)):
            continue
        target = index._target("__notebook__", node, local)
        if not target or not target[1]:
            continue
        module, name = target
        if module == "utils.recipes":
            found.add(name)
            continue
        call = calls.get(id(node))
        found |= index.uses(module, name, _passed(call) if call else set())
    return found


def computed_users(root: Path = ROOT) -> dict[str, tuple[str, ...]]:
    """The map as the code says it: every recipe constant -> the notebooks that read it, in order."""
    index = Utils(root)
    names = recipe_values((root / "utils" / "recipes.py").read_text(encoding="utf-8"))
    users: dict[str, list[str]] = {n: [] for n in names}
    for key, path in notebook_paths(root).items():
        for name in sorted(notebook_uses(path, index) & set(users)):
            users[name].append(key)
    return {n: tuple(v) for n, v in users.items()}


def format_users(users: dict[str, tuple[str, ...]]) -> str:
    """``users`` as the source of :data:`USERS`."""
    width = max(map(len, users), default=0) + 3
    lines = ["USERS: dict[str, tuple[str, ...]] = {"]
    for name, keys in users.items():
        lines.append(f"    {repr(name) + ':':<{width}} ({', '.join(map(repr, keys))}{',' if len(keys) == 1 else ''}),")
    return "\n".join(lines + ["}"])


def main() -> int:
    print(format_users(computed_users()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
