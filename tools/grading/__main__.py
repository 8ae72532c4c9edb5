"""Grade a folder of exercise submissions (lesson notebooks 01-06) into grades.csv and Korean feedback.

    python -m tools.grading SUBMISSIONS [--out DIR] [--lesson NN] [--quick] [--jobs N]
    make grade SUBMISSIONS=folder [LESSON=05] [QUICK=1]

Every file under SUBMISSIONS is one row of DIR/grades.csv (default: SUBMISSIONS-grades next to it)
and one DIR/feedback/<student id>.md. Each notebook is run fresh, offline, in a kernel of its own,
with the grader's own utils; its stored outputs and its copy of utils are never used. See
tools/grading/batch.py for the columns and the student-id rule.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.grading.batch import DEFAULT_ID_PATTERN, grade_folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.grading", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks (sub-folders are searched too)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for grades.csv and feedback/ (default: SUBMISSIONS-grades beside it)")
    parser.add_argument("--lesson", default=None, help="01..06; default: each notebook's own (title, checkers, name)")
    parser.add_argument("--quick", action="store_true",
                        help="run in quick mode (CH11_QUICK=1): fewer epochs; answers that depend on training are "
                             "compared with values recomputed in the same run, and the sheet says 'quick'")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds per submission (default 900)")
    parser.add_argument("--cell-time-limit", type=float, default=300.0, help="seconds per code cell (default 300)")
    parser.add_argument("--id-pattern", default=DEFAULT_ID_PATTERN,
                        help="regular expression whose first group is the student id in a file name")
    parser.add_argument("--keep-work", action="store_true", help="keep the executed copies (for debugging)")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.time_limit <= 0 or args.cell_time_limit <= 0:
        parser.error("--jobs, --time-limit and --cell-time-limit must be positive")
    out = args.out or args.submissions.resolve().parent / f"{args.submissions.resolve().name}-grades"
    try:
        grade_folder(args.submissions, out, lesson=args.lesson, quick=args.quick, jobs=args.jobs,
                     time_limit=args.time_limit, cell_limit=args.cell_time_limit, id_pattern=args.id_pattern,
                     keep_work=args.keep_work)
    except ValueError as error:
        print(f"grading: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
