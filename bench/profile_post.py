"""Where the final POST's time goes, in-process: the WSGI app called directly (no server, no test client).

    python bench/profile_post.py [--posts 2000] [--rounds 3] [--database-url URL] [--top 25]

Loads the demo directory into a new instance (bench/out/profile/, or --database-url), answers the steps
with the prefill link, then calls the app's WSGI callable with pre-built POSTs of /hjalp/uppgift (each a
new address that matches nobody, so each opens a new case, as bench_load's `unique`), beside the bare
Flask page of bench/hello_app.py called the same way. Prints, per round, the wall and CPU time per
request of each and their ratio (CPU time is what the other processes on a shared machine disturb
least), then a cProfile of --posts POSTs: own time grouped by the package it is spent in, and the
functions with the most own time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _common import HERE
from _server import guardians, load_instance

ROOT = HERE.parent
GROUPS = (  # (label, what a profiled function's file name contains)
    ("SQLAlchemy", "/sqlalchemy/"), ("Flask-SQLAlchemy", "/flask_sqlalchemy/"), ("itsdangerous", "/itsdangerous/"),
    ("Flask-WTF", "/flask_wtf/"), ("WTForms", "/wtforms/"), ("Flask-Babel", "/flask_babel/"), ("Babel", "/babel/"),
    ("Flask-Limiter", "/flask_limiter/"), ("limits", "/limits/"), ("Flask", "/flask/"), ("Werkzeug", "/werkzeug/"),
    ("Jinja", "/jinja2/"), ("MarkupSafe", "/markupsafe/"), ("psycopg", "/psycopg"), ("portal", "/portal/"),
    ("checks", "/checks/"),
)


def group_of(filename: str, name: str) -> str:
    if filename == "~":  # a built-in: name it by what it is
        if "sqlite3" in name:
            return "sqlite3 (C: statements, COMMIT)"
        if "psycopg" in name or "pq" in name:
            return "psycopg (C)"
        return "built-ins (hmac, json, zlib, …)"
    for label, part in GROUPS:
        if part in filename:
            return label
    return "Python's standard library"


def wsgi_call(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> str:
    status: list[str] = []
    body = app(dict(environ), lambda s, h, e=None: status.append(s))
    b"".join(body)
    close = getattr(body, "close", None)
    if close is not None:
        close()
    return status[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    env = load_instance("profile", 0, args.database_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from hello_app import app as hello
    from werkzeug.test import Client, EnvironBuilder

    from wsgi import app as portal

    school, _people = guardians(env)
    client = Client(portal)
    response = client.get(f"/?role=guardian&service=school_platform&symptom=forgot_password&school={school}")
    page = client.get("/hjalp/uppgift")
    if response.status_code != 303 or page.status_code != 200:
        sys.exit(f"the flow did not open: {response.status_code} then {page.status_code}")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    cookie = client.get_cookie("session")
    assert cookie is not None
    tag = time.time_ns()

    def posts(count: int, offset: int) -> list[dict[str, Any]]:
        return [EnvironBuilder(path="/hjalp/uppgift", method="POST", headers={
            "Cookie": f"session={cookie.value}", "Content-Type": "application/x-www-form-urlencoded"},
            data=urlencode({"csrf_token": token.group(1),
                            "identifier": f"p{tag}x{offset + i}@example.se"})).get_environ() for i in range(count)]

    hello_environ = EnvironBuilder(path="/").get_environ()

    def timed(app: Callable[..., Iterable[bytes]], environs: list[dict[str, Any]]) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        for environ in environs:
            wsgi_call(app, environ)
        return ((time.perf_counter() - wall) / len(environs) * 1000,
                (time.process_time() - cpu) / len(environs) * 1000)

    for environ in posts(200, 10**7):  # warm up
        status = wsgi_call(portal, environ)
        if not status.startswith("303"):
            sys.exit(f"a POST gave {status}")
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"profile_post: in-process on {database}, load average {os.getloadavg()[0]:.2f}")
    for round_ in range(args.rounds):
        environs = posts(args.posts, round_ * args.posts)
        hello_wall, hello_cpu = timed(hello, [hello_environ] * args.posts)
        wall, cpu = timed(portal, environs)
        print(f"  round {round_ + 1}: hello {hello_wall:.3f} ms ({hello_cpu:.3f} CPU), POST {wall:.3f} ms "
              f"({cpu:.3f} CPU); hello / POST {hello_wall / wall:.3f} (CPU {hello_cpu / cpu:.3f})")

    environs = posts(args.posts, 10**6)
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for environ in environs:
        wsgi_call(portal, environ)
    profile.disable()
    stats = pstats.Stats(profile)
    if os.environ.get("PROFILE_DUMP"):
        stats.dump_stats(os.environ["PROFILE_DUMP"])
    own: Counter[str] = Counter()
    rows = []
    for (filename, _line, name), (_cc, calls, tottime, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        own[group_of(filename, name)] += tottime
        rows.append((tottime, calls, f"{Path(filename).name}:{name}" if filename != "~" else name))
    total = sum(own.values())
    print(f"cProfile (CPU time) of {args.posts} POSTs: {total / args.posts * 1000:.3f} ms each under the "
          "profiler; own time by package:")
    for label, seconds in own.most_common():
        print(f"  {label:<36} {seconds / total:6.1%}")
    print(f"the {args.top} functions with the most own time:")
    for tottime, calls, where in sorted(rows, reverse=True)[:args.top]:
        print(f"  {tottime / total:6.1%} {calls / args.posts:6.1f} calls/POST  {where}")


if __name__ == "__main__":
    main()
