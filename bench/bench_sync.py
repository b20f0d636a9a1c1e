"""`portal sync ss12000` against a fake SS 12000 server over loopback, beside `portal import` of the same
directory from a file.

    python bench/bench_sync.py [N ...]        (default: 10000 100000)

For each N: a generated source (bench/ss12000_source.py) is served in pages of 1 000 by the tests' fake
server (tests/functional/ss12000_fake.py) in a process of its own; `portal sync ss12000 --full` runs in
a child process on a new SQLite file (time, peak RSS of that process alone); `--dump` writes the same
directory as an import file, which `portal import` loads into another new file. Targets (issue 11):
the sync within 2x the file import at 100 000 persons; the sync's peak memory growing less than 1.5x
from 10 000 to 100 000 persons.
"""

from __future__ import annotations

import json
import subprocess
import sys

from _common import HERE, OUT, fresh_instance

ROOT = HERE.parent
SERVER = f"""
import sys, threading
sys.path[:0] = [{str(ROOT)!r}, {str(HERE)!r}]
from ss12000_source import generate
import logging
logging.getLogger("werkzeug").setLevel(logging.ERROR)
from tests.functional.ss12000_fake import Fake, serve
fake = Fake()
fake.records.update(generate(int(sys.argv[1])))
with serve(fake) as server:
    print(server.url, flush=True)
    sys.stdin.read()
"""


CHILD = """
import json, sys, time
sys.path.insert(0, %(bench)r)
from _common import peak_rss_mib
from portal import create_app
from portal.database import upgrade
app = create_app()
with app.app_context():
    upgrade(app)
    base = peak_rss_mib()
    start = time.perf_counter()
    if %(what)r == "sync":
        from portal.sources.ss12000 import read_config, run_sync
        summary = run_sync(read_config(), full=True, dump_path=%(dump)r).summary()
    else:
        from portal.importer import import_path
        summary = import_path(%(dump)r).summary()
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mib": peak_rss_mib(), "base_mib": base, "summary": summary}))
"""


def child(what: str, env: dict[str, str], dump: str | None) -> dict[str, object]:
    """The operation timed inside a fresh process (app start and migrations not counted)."""
    code = CHILD % {"bench": str(HERE), "what": what, "dump": dump}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed: {done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench(n: int) -> dict[str, float]:
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(n)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              cwd=ROOT, text=True)
    dump = OUT / f"ss12000-{n}.json"
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        env = fresh_instance(f"sync-{n}")
        env.update(PORTAL_SS12000_URL=url, PORTAL_SS12000_PAGE_SIZE="1000")
        synced = child("sync", env, None)
        child("sync", env, str(dump))  # --dump: the same directory as an import file
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=60)
    imported = child("import", fresh_instance(f"sync-file-{n}"), str(dump))
    sync_s, import_s = float(synced["seconds"]), float(imported["seconds"])  # type: ignore[arg-type]
    result = {"n": n, "sync_s": sync_s, "sync_peak_mib": synced["peak_mib"], "sync_base_mib": synced["base_mib"],
              "import_s": import_s, "import_peak_mib": imported["peak_mib"], "dump_mb": dump.stat().st_size / 1e6}
    print(f"{n:>7} persons: sync {sync_s:6.1f} s, peak {synced['peak_mib']:6.1f} MiB (at start "
          f"{synced['base_mib']:.1f}) | file import {import_s:6.1f} s, peak {imported['peak_mib']:6.1f} MiB | "
          f"sync/import {sync_s / import_s:4.2f}x", flush=True)
    print(f"         {synced['summary']}", flush=True)
    return result  # type: ignore[return-value]


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    results = [bench(n) for n in sizes]
    if len(results) >= 2:
        small, large = results[0], results[-1]
        print(f"peak memory {small['n']} -> {large['n']}: {large['sync_peak_mib'] / small['sync_peak_mib']:.2f}x "
              f"(target < 1.5x); sync/import at {large['n']}: {large['sync_s'] / large['import_s']:.2f}x (target <= 2x)")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_sync.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
