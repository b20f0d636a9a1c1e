"""Throughput of the final step's POST under gunicorn, beside a bare Flask page served the same way.

    python bench/bench_load.py [--persons N] [--duration 15] [--connections 4] [--workers 2]
                               [--rounds 1] [--database-url URL]

Loads the generated directory of N persons (default 10 000; 0 loads the demo directory) into a new
SQLite file in bench/out/load/ (or into --database-url, e.g. a PostgreSQL database; never one named like
`test`, which the test suite wipes), then, one after the other on the same machine:

1. `gunicorn -w 2 hello_app:app` (a Flask view returning "Hello") under `wrk` for --duration seconds;
2. `gunicorn -w 2 wsgi:app` (the portal, rate limits off, no queue worker) under `wrk`, whose Lua script
   POSTs /hjalp/uppgift with the session cookie and CSRF token of one visitor who has answered the
   other steps (guardian / school_platform / forgot_password / the school with most guardians).
   Each POST validates the form and the identifier, records the case and queues one job,
   and answers 303 to /hjalp/resultat (not followed; wrk counts 3xx as success and reports any other
   status as "Non-2xx or 3xx responses"). Two runs:
   - `unique`: every request a new e-mail address that matches nobody (`load<thread>x<n>@example.se`),
     so every request opens a new case: the heavier path, and the ratio the target is judged on;
   - `spread`: the school's real guardians' addresses in turn, so after the first round each request
     reuses today's case for that address (one look-up, a job and an event written).
   The jobs table is counted before and after each run: it must grow by wrk's request count.

Prints requests per second of each, and the ratio portal / hello; with --rounds N the three are
measured N times in turn (both servers stay up) and the median ratio is judged. Target (issue 15):
ratio >= 0.3 on SQLite, >= 0.2 on PostgreSQL (synchronous commit, the server's default).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from _common import HERE, OUT
from _server import (
    FlowSession,
    cpu_seconds,
    database_url,
    environment_note,
    guardians,
    gunicorn,
    load_instance,
    open_flow,
    post_identifier,
    steal_seconds,
)
from sqlalchemy import create_engine, text

TARGET_RATIO = {"SQLite": 0.3, "PostgreSQL": 0.2}  # issue 15 item 7, with synchronous commit
WRK = shutil.which("wrk") or "/usr/bin/wrk"

LUA_COMMON = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
prefix = "csrf_token={token}&identifier="
counter = 0
tid = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
"""
LUA_UNIQUE = """\
function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, prefix .. "load{tag}t" .. tid .. "x" .. counter .. "%40example.se")
end
"""
LUA_SPREAD = """\
ids = {{{ids}}}
function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, prefix .. ids[(counter + tid * 37) % #ids + 1])
end
"""


def lua_script(flow: FlowSession, mode: str, identifiers: list[str]) -> Path:
    script = LUA_COMMON.format(cookie=flow.cookie, token=quote(flow.csrf_token, safe=""))
    if mode == "unique":
        script += LUA_UNIQUE.format(tag=secrets.token_hex(3))
    else:
        script += LUA_SPREAD.format(ids=", ".join(f'"{quote(i, safe="")}"' for i in identifiers))
    path = OUT / f"load-{mode}.lua"
    path.write_text(script, encoding="utf-8")
    return path


def wrk(url: str, duration: int, connections: int, threads: int, script: Path | None = None) -> dict[str, float]:
    cmd = [WRK, "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "10s"]
    if script is not None:
        cmd += ["-s", str(script)]
    output = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    (OUT / "load-wrk.log").open("a", encoding="utf-8").write(f"$ {' '.join(cmd)} {url}\n{output}\n")

    def number(pattern: str, default: float | None = None) -> float:
        match = re.search(pattern, output)
        if match is None:
            if default is None:
                sys.exit(f"cannot read {pattern!r} in wrk's output:\n{output}")
            return default
        return float(match.group(1))

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": number(r"(\d+) requests in"),
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "non_2xx_3xx": number(r"Non-2xx or 3xx responses: (\d+)", 0),
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", output)),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", output)),
    }


def _ms(match: re.Match[str] | None) -> float:
    if match is None:
        return float("nan")
    value = match.group(1)
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def postgres_cpu() -> float:
    """User and system CPU time of every PostgreSQL server process on this machine so far (its backends,
    WAL writer, checkpointer): what a POST costs the database server, beside the portal's own CPU."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if (proc / "comm").read_text().strip() != "postgres":
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def count_jobs(env: dict[str, str]) -> int:
    engine = create_engine(database_url(env))
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM jobs")).scalar_one()
    engine.dispose()
    return int(n)


def show(name: str, r: dict[str, float], extra: str = "") -> None:
    print(f"  {name:<16} {r['rps']:>9.1f} {r['requests']:>9.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
          f"{r['non_2xx_3xx']:>12.0f} {r['socket_errors']:>8.0f}  {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000, help="generated directory size; 0 = demo")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (sync)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="hello, unique and spread measured this many times, one after the other")
    parser.add_argument("--database-url", help="default: SQLite in bench/out/load/")
    args = parser.parse_args()
    if not Path(WRK).exists():
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")

    env = load_instance("load", args.persons, args.database_url)
    school, people = guardians(env)
    addresses = [email for email, _ in people if email]
    database = "PostgreSQL" if args.database_url else "SQLite"
    target = TARGET_RATIO[database]
    print(f"bench_load: {args.persons or 'demo'} persons on {database}, {environment_note()}, "
          f"load average {os.getloadavg()[0]:.2f} before; "
          f"gunicorn -w {args.workers} (sync); wrk -t {args.threads} -c {args.connections} -d {args.duration}s")
    (OUT / "load-wrk.log").write_text("", encoding="utf-8")
    server_log = OUT / "load-server.log"
    server_log.write_text("", encoding="utf-8")
    stolen = steal_seconds()
    print(f"  {'':<16} {'req/s':>9} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx/3xx':>12} "
          f"{'sock err':>8}")

    ratios: dict[str, list[float]] = {"unique": [], "spread": []}
    cpu_ratios: dict[str, list[float]] = {"unique": [], "spread": []}
    failed = False
    with gunicorn("hello_app:app", env, workers=args.workers, cwd=HERE, log=server_log) as hello_port, \
            gunicorn("wsgi:app", env, workers=args.workers, log=server_log) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        flow = open_flow(conn, school)
        status, location = post_identifier(conn, flow, addresses[0])
        conn.close()
        if status != 303 or not location.endswith("/hjalp/resultat"):
            sys.exit(f"a POST /hjalp/uppgift gave {status} {location!r}, not 303 to /hjalp/resultat")
        scripts = {mode: lua_script(flow, mode, addresses) for mode in ("unique", "spread")}
        for round_ in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"  round {round_} (load average {os.getloadavg()[0]:.2f}; the host's steal so far "
                      f"{steal_seconds() - stolen:.1f} s)")
            cpu = cpu_seconds(hello_port)
            hello = wrk(f"http://127.0.0.1:{hello_port}/", args.duration, args.connections, args.threads)
            hello["cpu_ms"] = (cpu_seconds(hello_port) - cpu) / hello["requests"] * 1000
            show("hello (GET /)", hello, f"server CPU {hello['cpu_ms']:.3f} ms a request")
            for mode, script in scripts.items():
                before, cpu, db_cpu = count_jobs(env), cpu_seconds(port), postgres_cpu()
                r = wrk(f"http://127.0.0.1:{port}/hjalp/uppgift", args.duration, args.connections, args.threads,
                        script)
                r["cpu_ms"] = (cpu_seconds(port) - cpu) / r["requests"] * 1000
                db_ms = (postgres_cpu() - db_cpu) / r["requests"] * 1000
                cpu_ratios[mode].append(hello["cpu_ms"] / r["cpu_ms"])
                jobs = count_jobs(env) - before
                note = "new case each" if mode == "unique" else f"{len(addresses)} real addresses, cases reused"
                ratio = r["rps"] / hello["rps"]
                ratios[mode].append(ratio)
                db_note = f"; PostgreSQL's CPU {db_ms:.3f} ms a request" if args.database_url else ""
                show(f"portal {mode}", r, f"jobs queued {jobs} ({note}); {ratio:.3f} of hello; server CPU "
                     f"{r['cpu_ms']:.3f} ms a request, hello's {cpu_ratios[mode][-1]:.3f} of it{db_note}")
                if jobs < r["requests"] - r["non_2xx_3xx"]:
                    print(f"  WARNING: fewer jobs ({jobs}) than successful requests: some 3xx were not a case")
                failed |= bool(r["non_2xx_3xx"] or r["socket_errors"])

    for mode, found in ratios.items():
        middle = statistics.median(found)
        verdict = "met" if middle >= target and not failed else "NOT met"
        print(f"ratio portal {mode} / hello: median {middle:.3f} of {len(found)} "
              f"({', '.join(f'{x:.3f}' for x in found)}; target >= {target} on {database}: {verdict}); "
              f"server CPU a request, hello / portal: median {statistics.median(cpu_ratios[mode]):.3f}")
    print(f"load average {os.getloadavg()[0]:.2f} after (other processes on the machine skew req/s); "
          f"CPU time the host gave other guests during the run (steal): {steal_seconds() - stolen:.1f} s; "
          "wrk's full output: bench/out/load-wrk.log, the servers' log: bench/out/load-server.log")


if __name__ == "__main__":
    main()
