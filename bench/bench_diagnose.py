"""`diagnose` latency in-process: median and p99 over 1 000 random identifiers.

    python bench/bench_diagnose.py [N ...]      (default: 10000 100000)

Imports the generated directory of N persons (unless already imported by bench_import.py), then
runs portal.diagnosis.run — the code path of `portal diagnose` and the worker — for identifiers
from the generator's sample (existing and missing, every role), and counts SQL statements per
diagnosis. Targets (issue 3): p99 under 5 ms at 100 000 persons; p99 at 100 000 no more than 1.5x
the p99 at 10 000.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import data_file, fresh_instance
from sqlalchemy import event

SAMPLES = 1000


def measure(n: int) -> tuple[float, float, float, int]:
    path = data_file(n)
    env = fresh_instance(f"diagnose-{n}")
    os.environ.update(env)
    os.environ.pop("PORTAL_DATABASE_URL", None)
    # The directory is loaded by `portal import` in its own process, as an operator does; the
    # diagnoses then run in a process that has done nothing else, like a worker.
    subprocess.run([sys.executable, "-m", "portal.cli", "import", str(path)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    from portal import create_app
    from portal.database import upgrade
    from portal.diagnosis import QuestionRefused, run
    from portal.extensions import db

    app = create_app()
    questions = [line.rstrip("\n").split("\t") for line in
                 Path(str(path) + ".identifiers.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = questions[:SAMPLES]
    times: list[float] = []
    statements = 0
    refused = 0
    with app.app_context():
        upgrade(app)
        counter = {"n": 0}

        def count(*_args: object) -> None:
            counter["n"] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        for q in questions[:50]:  # warm the caches
            with contextlib.suppress(QuestionRefused):
                run(*q)
            db.session.rollback()
        counter["n"] = 0
        for q in questions:
            start = time.perf_counter()
            with contextlib.suppress(QuestionRefused):
                run(*q)
            times.append((time.perf_counter() - start) * 1000)
            db.session.rollback()
        statements = counter["n"]
    if refused:
        print(f"  ({refused} of {len(questions)} questions were refused)")
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return statistics.median(times), p99, max(times), statements // max(1, len(questions))


def main(sizes: list[int]) -> None:
    print(f"{'N persons':>10} {'median ms':>10} {'p99 ms':>8} {'max ms':>8} {'SQL/diagnosis':>14}")
    p99s = {}
    for n in sizes:
        median, p99, worst, per = measure(n)
        p99s[n] = p99
        print(f"{n:>10} {median:>10.2f} {p99:>8.2f} {worst:>8.2f} {per:>14}")
    if len(p99s) >= 2:
        small, large = min(p99s), max(p99s)
        print(f"p99 growth {small} -> {large}: {p99s[large] / p99s[small]:.2f}x")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
