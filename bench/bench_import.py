"""Import speed and memory against a plain sqlite3.executemany baseline.

    python bench/bench_import.py [N ...]        (default: 10000 100000)

For each N: `portal import` of a generated directory into a new SQLite file (in a child process, so
its peak RSS is its own), then a baseline child that inserts exactly the same rows, already in
memory, with sqlite3.executemany into an empty copy of the same schema. Prints time, rows per
second and peak memory of both. Targets (issue 3): import within 3x the baseline; peak memory that
does not grow with N.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from _common import HERE, data_file, fresh_instance

IMPORT_CHILD = textwrap.dedent("""
    import json, time, sys
    from portal import create_app
    from portal.database import upgrade
    from portal.importer import import_path
    sys.path.insert(0, %(bench)r)
    from _common import peak_rss_mib
    app = create_app()
    with app.app_context():
        upgrade(app)
        base = peak_rss_mib()
        start, cpu = time.perf_counter(), time.process_time()
        result = import_path(%(path)r)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": result.total_rows(), "peak_mib": peak_rss_mib(),
                      "base_mib": base}))
""")

BASELINE_CHILD = textwrap.dedent("""
    import json, sqlite3, time, sys, shutil
    sys.path.insert(0, %(bench)r)
    from _common import peak_rss_mib
    src = sqlite3.connect(%(db)r)
    tables = [r[0] for r in src.execute(
        "select name from sqlite_master where type='table' and name not like 'sqlite_%%' and name != 'alembic_version'")]
    schema = [r[0] for r in src.execute("select sql from sqlite_master where sql is not null and name not like 'sqlite_%%'")]
    rows = {t: src.execute(f'select * from "{t}"').fetchall() for t in tables}
    src.close()
    dst = sqlite3.connect(%(out)r)
    for stmt in schema:
        dst.execute(stmt)
    dst.commit()
    start, cpu = time.perf_counter(), time.process_time()
    with dst:
        for t, data in rows.items():
            if data:
                marks = ",".join("?" * len(data[0]))
                dst.executemany(f'insert into "{t}" values ({marks})', data)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": sum(len(v) for v in rows.values()),
                      "peak_mib": peak_rss_mib()}))
""")


def run_child(code: str, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sizes: list[int]) -> None:
    print(f"{'N persons':>10} {'rows':>9} {'import s':>9} {'rows/s':>9} {'peak MiB':>9}"
          f" {'baseline s':>11} {'base rows/s':>11} {'ratio':>6} {'CPU ratio':>10}")
    for n in sizes:
        path = data_file(n)
        env = fresh_instance(f"import-{n}")
        imported = run_child(IMPORT_CHILD % {"path": str(path), "bench": str(HERE)}, env)
        db = env["PORTAL_INSTANCE_PATH"] + "/portal.sqlite3"
        out = env["PORTAL_INSTANCE_PATH"] + "/baseline.sqlite3"
        base = run_child(BASELINE_CHILD % {"db": db, "out": out, "bench": str(HERE)}, env)
        ratio = imported["seconds"] / base["seconds"]
        print(f"{n:>10} {int(imported['rows']):>9} {imported['seconds']:>9.2f}"
              f" {imported['rows'] / imported['seconds']:>9.0f} {imported['peak_mib']:>9.1f}"
              f" {base['seconds']:>11.2f} {base['rows'] / base['seconds']:>11.0f} {ratio:>6.2f}"
              f" {imported['cpu'] / base['cpu']:>10.2f}")
    print("peak MiB is the importing process's whole peak RSS (Python + app + driver);"
          " the baseline keeps every row in memory, so its peak is not shown as a target."
          " CPU ratio: the same two timings in process CPU time, which other processes on a shared"
          " machine disturb less than wall time.")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
