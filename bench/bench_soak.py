"""A soak run: mixed traffic for a while on the production set-up, memory and latency over time (issue 15).

    python bench/bench_soak.py [--duration 600] [--warmup 60] [--threads 6]
                               [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_soak]
                               [--redis-url redis://127.0.0.1:6379/14]

The set-up of tests/functional/test_production.py, everything on 127.0.0.1: `portal db upgrade` and the demo
directory in the database (a database whose name contains `test` is refused: the tests wipe those), rate limits
in Redis (that database number is emptied first; limits set high), two gunicorn masters with
deploy/gunicorn.conf.py (`--web-workers` each, default 2), two `portal worker --loop`, and an SMTP sink
(aiosmtpd). `--threads` clients loop until `--duration` seconds have passed, each pass one of: a complete public
flow (nine requests; the identifier a demo person's or a new address nobody has), the accessibility and privacy
pages, a language switch, a staff sign-in request for an address nobody has, /healthz; one thread scrapes
/metrics every 15 s. Every 10 s the RSS of every process is read from /proc (gunicorn's workers are replaced
after about 2 000 requests each: they are reported per master as the largest current one).

Prints requests, errors and p50/p99 latency per minute, and the RSS of each process at the end of the warm-up,
at the middle and at the end of the run, with its largest value after the warm-up. Results also go to
bench/out/soak.json. Nothing is asserted: the figures are for bench/README.md.
"""

from __future__ import annotations

import argparse
import collections
import http.cookiejar
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DEMO_IDENTIFIERS = ["anna.andersson@exempel.se", "lena.persson@exempel.se", "jessica.nordin@exempel.se"]
SCHOOL = "41253001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[tuple[float, float, int]] = []  # (when, seconds, status)

    def add(self, when: float, seconds: float, status: int) -> None:
        with self.lock:
            self.samples.append((when, seconds, status))


class Client:
    def __init__(self, base: str, recorder: Recorder) -> None:
        self.base, self.recorder = base, recorder
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect)

    def request(self, path: str, fields: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        started = time.monotonic()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=data), timeout=30) as r:
                status, body = r.status, r.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                status, body = error.code, error.read().decode()
        except OSError:
            status, body = 599, ""  # no answer at all (counted as an error)
        self.recorder.add(started, time.monotonic() - started, status)
        return status, body

    def form(self, path: str, **fields: str) -> int:
        status, page = self.request(path)
        match = TOKEN.search(page) if status == 200 else None
        if not match:
            return status
        return self.request(path.split("?")[0], {"csrf_token": match.group(1), **fields})[0]


def one_pass(base: str, recorder: Recorder, n: int, rng: random.Random) -> None:
    c = Client(base, recorder)
    kind = rng.random()
    if kind < 0.55:  # a complete public flow
        identifier = rng.choice(DEMO_IDENTIFIERS) if rng.random() < 0.2 else f"soak{n}x{rng.getrandbits(32)}@example.se"
        for path, fields in (("/", {"role": "guardian"}), ("/hjalp/tjanst", {"service": "school_platform"}),
                             ("/hjalp/problem", {"symptom": "forgot_password"}),
                             (f"/hjalp/skola?q={SCHOOL}", {"q": SCHOOL, "school": SCHOOL}),
                             ("/hjalp/uppgift", {"identifier": identifier})):
            if c.form(path, **fields) != 303:
                return
        c.request("/hjalp/resultat")
    elif kind < 0.75:
        c.request("/tillganglighet")
        c.request("/personuppgifter")
    elif kind < 0.85:
        c.request("/sprak/en?nasta=/")
        c.request("/")
    elif kind < 0.95:
        c.form("/inkorg/logga-in", email=f"ingen{rng.getrandbits(32)}@example.se")
    else:
        c.request("/healthz")


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--warmup", type=float, default=60)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_soak")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    if "test" in args.database_url.rsplit("/", 1)[-1]:
        sys.exit("Fel: databasen i --database-url får inte heta något med 'test' (testerna tömmer sådana).")

    OUT.mkdir(exist_ok=True)
    folder = OUT / "soak"
    folder.mkdir(exist_ok=True)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()  # this database number only
    smtp_port = free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": args.database_url, "PORTAL_INSTANCE_PATH": str(folder / "instance"),
           "PORTAL_SECRET_KEY": "soak-secret-key-soak-secret-key-soak-secret-key",
           "PORTAL_MAIL_URL": f"smtp://127.0.0.1:{smtp_port}", "PORTAL_RATELIMIT_STORAGE_URL": args.redis_url,
           "PORTAL_LIMIT_PAGES": "1000000 per minute", "PORTAL_LIMIT_SUBMIT": "1000000 per minute",
           "PORTAL_LIMIT_IDENTIFIER": "1000000 per hour", "PORTAL_LIMIT_TYPED_EMAIL": "1000000 per hour",
           "PORTAL_LOG_FORMAT": "json", "PORTAL_METRICS_TOKEN": "soak-metrics-token-0123456789"}
    if args.database_url.startswith("postgresql"):
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.database_url.rsplit("/", 1)[-1]],
                       capture_output=True)
    portal = [sys.executable, "-m", "portal.cli"]
    subprocess.run([*portal, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*portal, "demo"], env=env, check=True, capture_output=True)

    processes: dict[str, subprocess.Popen] = {}
    logs = open(folder / "processes.log", "w")  # noqa: SIM115  (closed at the end)

    def start(name: str, command: list[str], **extra: str) -> None:
        processes[name] = subprocess.Popen(command, env={**env, **extra}, cwd=ROOT, stdout=subprocess.DEVNULL,
                                           stderr=logs)

    start("smtp", [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                   "-l", f"127.0.0.1:{smtp_port}"])
    ports = [free_port(), free_port()]
    for n, port in enumerate(ports):
        start(f"web{n}", [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                          "--workers", str(args.web_workers), "--bind", f"127.0.0.1:{port}"],
              PROMETHEUS_MULTIPROC_DIR=str(folder / f"metrics{n}"))
    for n in range(2):
        start(f"worker{n}", [*portal, "worker", "--loop", "--interval", "0.5"])
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    for base in bases:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)

    recorder = Recorder()
    memory: list[tuple[float, dict[str, int]]] = []
    started = time.monotonic()
    deadline = started + args.duration
    stop = threading.Event()

    def client(n: int) -> None:
        rng = random.Random(n)
        i = 0
        while time.monotonic() < deadline and not stop.is_set():
            one_pass(bases[(n + i) % 2], recorder, n * 1_000_000 + i, rng)
            i += 1

    def scraper() -> None:
        while not stop.wait(15):
            for base in bases:
                request = urllib.request.Request(base + "/metrics",
                                                 headers={"Authorization": "Bearer soak-metrics-token-0123456789"})
                try:
                    with urllib.request.urlopen(request, timeout=30) as r:
                        r.read()
                except OSError:
                    pass

    def sample() -> dict[str, int]:
        rss: dict[str, int] = {}
        for name, process in processes.items():
            rss[name] = rss_kib(process.pid) or 0
            if name.startswith("web"):
                workers = [rss_kib(p) or 0 for p in children(process.pid)]
                rss[f"{name} worker (largest)"] = max(workers, default=0)
        return rss

    def vacuumer() -> None:
        """This machine's PostgreSQL runs with autovacuum off (a test set-up); a production cluster has it
        on. Without it the queue's tables fill with dead rows (each job and mail is updated as it moves on)
        and every minute is slower than the one before, which says nothing about the portal. So every 60 s
        the busy tables are vacuumed here, as autovacuum would."""
        import psycopg

        url = args.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True) as conn:
            if conn.execute("SHOW autovacuum").fetchone() != ("off",):
                return
            print("PostgreSQL's autovacuum is off on this server: the soak vacuums jobs, outbox, cases and "
                  "case_counts every 60 s instead", flush=True)
            while not stop.wait(60):
                conn.execute("VACUUM (ANALYZE) jobs, outbox, cases, case_counts")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.threads)]
    threads.append(threading.Thread(target=scraper, daemon=True))
    if args.database_url.startswith("postgresql"):
        threads.append(threading.Thread(target=vacuumer, daemon=True))
    for t in threads:
        t.start()
    try:
        while time.monotonic() < deadline:
            memory.append((time.monotonic() - started, sample()))
            time.sleep(min(10, max(deadline - time.monotonic(), 0.1)))
        memory.append((time.monotonic() - started, sample()))
    finally:
        stop.set()
        for t in threads[:args.threads]:  # the clients (the scraper and the vacuumer stop with `stop`)
            t.join(60)
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        logs.close()

    report(args, recorder, memory, started)


def report(args: argparse.Namespace, recorder: Recorder, memory: list[tuple[float, dict[str, int]]],
           started: float) -> None:
    minutes: dict[int, list[tuple[float, int]]] = collections.defaultdict(list)
    last_minute = max(0, math.ceil(args.duration / 60) - 1)  # requests still answering at the end count in it
    for when, seconds, status in recorder.samples:
        minutes[min(int((when - started) // 60), last_minute)].append((seconds, status))
    print(f"Soak: {args.duration:.0f} s, warm-up {args.warmup:.0f} s, {args.threads} client threads, two gunicorn "
          f"masters x {args.web_workers} workers, two workers; {args.database_url.split('@')[-1]}; "
          f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("\nminute  requests  req/s  errors(5xx/none)  p50 ms  p99 ms")
    rows = []
    for minute in sorted(minutes):
        values = minutes[minute]
        times = sorted(s for s, _ in values)
        errors = sum(1 for _, status in values if status >= 500)
        p50 = statistics.median(times) * 1000
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
        span = max(1.0, min(60.0, args.duration - minute * 60))
        rows.append({"minute": minute + 1, "requests": len(values), "errors": errors, "p50_ms": round(p50, 1),
                     "p99_ms": round(p99, 1)})
        print(f"{minute + 1:>6}  {len(values):>8}  {len(values) / span:>5.1f}  {errors:>16}  {p50:>6.1f}  {p99:>6.1f}")
    after = [(t, m) for t, m in memory if t >= args.warmup] or memory
    first, middle, last = after[0], after[len(after) // 2], after[-1]
    print(f"\nRSS (MiB) at {first[0]:.0f} s (after warm-up), {middle[0]:.0f} s and {last[0]:.0f} s; largest after warm-up")
    table = {}
    for name in first[1]:
        values = [m.get(name, 0) / 1024 for _, m in after]
        table[name] = {"after_warmup": round(first[1][name] / 1024, 1), "middle": round(middle[1][name] / 1024, 1),
                       "end": round(last[1].get(name, 0) / 1024, 1), "max": round(max(values), 1)}
        row = table[name]
        print(f"  {name:<22} {row['after_warmup']:>7.1f} {row['middle']:>7.1f} {row['end']:>7.1f}   max {row['max']:.1f}")
    (OUT / "soak.json").write_text(json.dumps({"minutes": rows, "rss_mib": table}, indent=1))


if __name__ == "__main__":
    main()
