"""The grader's code that runs inside a submission's kernel: before the student's cells and after them.

This file is not imported by the grader: its text is put into the first and last cells of the
notebook the grader executes (``tools/grading/worker.py``), so it depends on nothing but the
standard library, numpy and ``exercises`` (the grader's own copy, on the kernel's path).

``setup(config)`` (first cell) makes the run safe to grade:

- every later cell gets a time limit (a ``GradingTimeLimit`` raised inside it, so the run goes on);
- ``pip``/``conda`` magics and shell escapes (``!cmd``) are refused with a note, so a submission
  cannot change the environment it is graded in;
- after every cell, the answers the lesson's exercises ask for are looked up by name and kept
  (the last value that is not ``None``/``...``; for functions, the last few definitions), and every
  call of a checker is logged with its arguments: a renamed variable is still found through the
  checker call it was given to;
- errors and time-outs are noted per cell.

``probe(config)`` (last cell) writes what the grader judges, outside this kernel:
answers as plain arrays, numbers and strings; each function answer's results on the public and
hidden inputs (called on copies, under a time limit); for the experiments, the reference values
recomputed from the lesson's trained models. Nothing is judged here.
"""

import json
import os
import signal
import traceback

_STATE = {}


class GradingTimeLimit(BaseException):
    """A cell ran past the grader's time limit for one cell."""


def _note(kind, **fields):
    fields["kind"] = kind
    _STATE["notes"].append(fields)
    try:
        with open(os.path.join(_STATE["work"], "notes.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(fields, ensure_ascii=False) + "\n")
    except OSError:
        pass


def _ring(signum, frame):
    _note("timeout", cell=_STATE.get("cell"))
    raise GradingTimeLimit(f"채점기의 셀 시간 제한({_STATE['cell_limit']} s)을 넘었습니다")


def _pre_run(*args):
    _STATE["cell"] = _STATE.get("cell", 0) + 1
    try:
        with open(os.path.join(_STATE["work"], "progress"), "w") as f:
            f.write(str(_STATE["cell"]))
    except OSError:
        pass
    signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, _STATE["cell_limit"])


def _is_placeholder(value):
    return value is None or value is Ellipsis


def _post_run(result=None):
    signal.setitimer(signal.ITIMER_REAL, 0)
    cell = _STATE.get("cell")
    error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
    if error is not None and not isinstance(error, GradingTimeLimit):
        _note("error", cell=cell, error=f"{type(error).__name__}: {str(error)[:160]}")
    user_ns = _STATE["shell"].user_ns
    for name in _STATE["names"]:
        value = user_ns.get(name, None)
        if _is_placeholder(value):
            continue
        kept = _STATE["values"].setdefault(name, [])
        if kept and kept[-1][1] is value:
            continue
        _STATE["seq"] += 1
        kept.append((_STATE["seq"], value))
        del kept[:-3]
    try:
        import matplotlib.pyplot as plt
        plt.close("all")
    except Exception:  # noqa: BLE001
        pass


def _log_checker_call(label, args):
    _STATE["seq"] += 1
    calls = _STATE["calls"].setdefault(label, [])
    calls.append((_STATE["seq"], args))
    del calls[:-3]


def _refuse_magic(line="", cell=None):
    _note("refused", what=("%pip/%conda " + str(line))[:120])
    print("[채점기] 채점 중에는 패키지를 설치하지 않습니다: 이 줄은 건너뜁니다")


def _refuse_system(cmd="", *args, **kwargs):
    _note("refused", what=("!" + str(cmd))[:120])
    print("[채점기] 채점 중에는 셸 명령(!...)을 실행하지 않습니다: 이 줄은 건너뜁니다")
    return ""


def setup(config):
    """Prepare the kernel (first cell of the graded notebook); ``config`` is a dict (see the worker)."""
    from IPython import get_ipython

    shell = get_ipython()
    _STATE.update(work=config["work"], names=list(config["names"]), cell_limit=float(config["cell_limit"]),
                  shell=shell, values={}, calls={}, notes=[], seq=0, cell=0)
    with open(os.path.join(config["work"], "kernel.pid"), "w") as f:
        f.write(str(os.getpid()))
    os.environ["MPLBACKEND"] = "Agg"
    import warnings
    warnings.filterwarnings("ignore", message=".*non-interactive.*")
    warnings.filterwarnings("ignore", message=".*More than 20 figures.*")
    for magic in ("pip", "conda", "mamba", "uv", "bash", "sh", "script", "system", "sx"):
        shell.register_magic_function(_refuse_magic, "line_cell", magic)
    shell.system = _refuse_system
    shell.system_raw = _refuse_system
    shell.system_piped = _refuse_system
    shell.getoutput = _refuse_system
    shell.events.register("pre_run_cell", _pre_run)
    shell.events.register("post_run_cell", _post_run)
    try:
        from exercises import verdicts
        verdicts.ANSWER_LOG.append(_log_checker_call)
        verdicts.GRADING["active"] = True     # experiment checkers skip their reference: the probe computes it once
    except Exception:  # noqa: BLE001 -- the probe reports it
        _note("setup", error=traceback.format_exc(limit=1)[-200:])


# --------------------------------------------------------------------------- the probe (last cell)
def _candidates(name, label, position):
    """Answer candidates, most recent first: values bound to ``name`` and arguments given to ``label``'s checker."""
    found = [(seq, value) for seq, value in _STATE["values"].get(name, [])]
    for seq, args in _STATE["calls"].get(label, []):
        if len(args) > position and not _is_placeholder(args[position]):
            found.append((seq, args[position]))
    found.sort(key=lambda item: -item[0])
    out, seen = [], set()
    for _, value in found:
        if id(value) not in seen:
            seen.add(id(value))
            out.append(value)
    return out


class _Writer:
    def __init__(self):
        self.arrays, self.records = {}, {}

    def value(self, key, value):
        """Record ``value`` as a plain answer: an array, a string, or a note on what it was."""
        import numpy as np

        if isinstance(value, str):
            return {"type": "str", "value": value[:200]}
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10 ** 300:
            return {"type": "bigint", "value": str(value)[:40]}
        if callable(value) and not hasattr(value, "__array__"):
            return {"type": "callable", "value": type(value).__name__}
        size = None
        shape = getattr(value, "shape", None)
        if shape is not None:
            try:
                size = 1
                for d in shape:
                    size *= int(d)
            except Exception:  # noqa: BLE001
                size = None
        if size is not None and size > 10_000_000:
            return {"type": "too-large", "value": str(size)}
        try:
            array = np.asarray(value)
        except Exception as error:  # noqa: BLE001
            return {"type": "unconvertible", "value": f"{type(value).__name__}: {str(error)[:80]}"}
        if array.size > 10_000_000:
            return {"type": "too-large", "value": str(array.size)}
        if array.dtype.kind == "O":
            try:
                array = np.asarray(value, dtype=np.float64)
            except Exception:  # noqa: BLE001
                return {"type": "object", "value": type(value).__name__}
        if array.dtype.kind not in "biufcUS":
            return {"type": "object", "value": str(array.dtype)}
        if array.dtype.kind in "US":
            return {"type": "str", "value": str(array.reshape(-1)[0])[:200] if array.size == 1 else repr(array)[:200]}
        self.arrays[key] = np.array(array, copy=True)
        return {"type": "array", "key": key}

    def outcome(self, key, outcome):
        record = {"kind": outcome.kind, "detail": outcome.detail}
        if outcome.value is not None:
            import numpy as np
            self.arrays[key] = np.asarray(outcome.value)
            record["key"] = key
        return record


def _evaluate(expressions, label, ns):
    """The context expressions, evaluated in the lesson's namespace (literals included)."""
    values = []
    for i, expr in enumerate(expressions):
        try:
            values.append(eval(expr, ns))  # noqa: S307 -- the grader's own expressions, in the student's kernel
        except Exception as error:  # noqa: BLE001
            calls = _STATE["calls"].get(label, [])
            if calls and len(calls[-1][1]) > i + 1:
                values.append(calls[-1][1][i + 1])
            else:
                raise LookupError(f"레슨의 {expr}를 찾지 못했습니다 ({type(error).__name__})") from None
    return values


def _limited(seconds, fn, *args):
    def ring(signum, frame):
        raise GradingTimeLimit(f"{seconds:g} s")
    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def probe(config):
    """Write ``probe_out.json`` and ``probe_out.npz`` into the work folder (last cell of the graded notebook)."""
    import numpy as np

    signal.setitimer(signal.ITIMER_REAL, 0)
    shell = _STATE["shell"]
    for event, fn in (("pre_run_cell", _pre_run), ("post_run_cell", _post_run)):
        try:
            shell.events.unregister(event, fn)
        except ValueError:
            pass
    from exercises.verdicts import call_safely

    ns = shell.user_ns
    inputs = np.load(os.path.join(config["work"], "probe_in.npz"), allow_pickle=False)
    writer = _Writer()
    results, references = {}, {}
    for item in config["exercises"]:
        label, kind, name = item["label"], item["kind"], item["answer"]
        record = {"label": label}
        try:
            if kind in ("value", "choice", "experiment"):
                position = 1 if kind == "choice" else 0
                found = _candidates(name, label, position)
                record["answer"] = writer.value(f"{label}/answer", found[0]) if found else {"type": "missing"}
            if kind == "value" and item["context"]:
                values = _evaluate(item["context"], label, ns)
                record["context"] = [writer.value(f"{label}/context/{i}", v) for i, v in enumerate(values)]
            if kind == "experiment" and record["answer"].get("type") != "missing":
                from importlib import import_module
                key = (item["module"], item["reference"], tuple(item["context"]))
                if key not in references:            # 02-4a and 02-4b share one reference, computed once
                    module = import_module(item["module"])
                    reference = getattr(module, item["reference"])
                    values = _evaluate(item["context"], label, ns)
                    references[key] = _limited(config["reference_limit"], reference, *values)
                out = references[key]
                record["reference"] = {k: writer.value(f"{label}/reference/{k}", v) for k, v in out.items()}
            if kind == "function":
                found = [f for f in _candidates(name, label, 0) if callable(f)]
                others = [v for v in _candidates(name, label, 0) if not callable(v)]
                record["outcomes"] = None
                if not found and others:
                    record["answer"] = writer.value(f"{label}/answer", others[0])
                for attempt, fn in enumerate(found[:3]):
                    outcomes = {}
                    for part in ("public", "hidden"):
                        outcomes[part] = []
                        for i in range(item["cases"][part]):
                            args = tuple(_argument(inputs[f"{label}/{part}/{i}/{j}"])
                                         for j in range(item["arity"][part][i]))
                            outcome = call_safely(fn, args, item["time_limit"])
                            outcomes[part].append(writer.outcome(f"{label}/{part}/{i}/{attempt}", outcome))
                    kinds = {o["kind"] for part in outcomes.values() for o in part}
                    record["outcomes"] = outcomes
                    if kinds != {"unanswered"}:
                        break
        except GradingTimeLimit as error:
            record["error"] = f"시간 초과: 확인 계산이 {error} 안에 끝나지 않았습니다"
        except Exception as error:  # noqa: BLE001 -- reported as this exercise's status
            record["error"] = f"{type(error).__name__}: {str(error)[:200]}"
        results[label] = record
    np.savez(os.path.join(config["work"], "probe_out.npz"), **writer.arrays)
    with open(os.path.join(config["work"], "probe_out.json"), "w", encoding="utf-8") as f:
        json.dump({"results": results, "notes": _STATE["notes"]}, f, ensure_ascii=False)
    print("[채점기] 답을 모았습니다:", len(results))


def _argument(array):
    """A function argument as stored: 0-d arrays of ints and floats go back to Python numbers."""
    if array.shape == () and array.dtype.kind in "iu":
        return int(array)
    if array.shape == () and array.dtype.kind == "f":
        return float(array)
    return array
