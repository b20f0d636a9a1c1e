"""Non-disclosure in time (PRODUCT.md N1, N3): does the final step's POST take as long for an
identifier that matches an account as for one that matches nobody?

    python bench/bench_timing.py [--persons N] [--kind email|personnummer|both] [--requests 2000]
                                 [--warmup 100] [--keep-alive | --no-keep-alive]

Loads the generated directory of N persons (default 10 000; 0 loads the demo directory) into a new
SQLite file in bench/out/timing/, serves `wsgi:app` with gunicorn (one worker, so every request meets the
same process; plain gunicorn runs no queue worker) with rate limits off, opens the flow with the prefill
link (guardian / school_platform / forgot_password / the school with most guardians) and then POSTs
/hjalp/uppgift from one stdlib http.client connection, alternating an existing guardian's identifier of
that school and a missing one of the same kind and length (an e-mail address with its local part's
letters turned; a personnummer with the same birth date, another serial and a valid check digit). Each
missing identifier is paired with one existing one, and pairs are cycled, so both sides see the same
mix of first posts (a new case) and repeats (today's case reused). The first --warmup requests are
discarded. Every timed response must be 303 to /hjalp/resultat.

Prints both medians, their difference in ms and as % of the median, and a two-sided Mann-Whitney U
p-value. Target: difference < 2 % of the median and p > 0.01.

Then, not part of the target, 1 000 more posts on the same connection alternate an identifier's first
post of the day (a fresh missing identifier: a new case) and a repeat (today's case reused), and print
both medians: what the time tells about whether someone asked for that identifier today.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import statistics
import time

from _server import (
    environment_note,
    fresh_identifiers,
    gunicorn,
    identifier_pairs,
    known_identifiers,
    load_instance,
    open_flow,
    post_identifier,
)

TARGET_PERCENT = 2.0
TARGET_P = 0.01
REPEAT_CHECK = 1000


def mann_whitney_u(x: list[float], y: list[float]) -> tuple[float, float]:
    """Two-sided Mann-Whitney U test, normal approximation with tie correction and continuity
    correction (as scipy.stats.mannwhitneyu(x, y, method="asymptotic") does). Returns (U of x, p).

    Checked against scipy 1.x: x = [1.1, 2.2, 3.3, 4.4, 5.5, 2.2, 7.0], y = [2.2, 3.0, 6.6, 8.8, 9.9,
    10.0] gives U = 10.0, p = 0.1314751249965938 (three tied 2.2s); see --self-test.
    """
    n1, n2 = len(x), len(y)
    pooled = sorted([(v, 0) for v in x] + [(v, 1) for v in y])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    r1 = sum(r for r, (_, group) in zip(ranks, pooled, strict=True) if group == 0)
    u1 = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    mu = n1 * n2 / 2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    if sigma == 0:
        return u1, 1.0
    z = (abs(u1 - mu) - 0.5) / sigma
    p = math.erfc(max(z, 0.0) / math.sqrt(2))
    return u1, min(1.0, p)


def self_test() -> None:
    u, p = mann_whitney_u([1.1, 2.2, 3.3, 4.4, 5.5, 2.2, 7.0], [2.2, 3.0, 6.6, 8.8, 9.9, 10.0])
    assert u == 10.0 and abs(p - 0.1314751249965938) < 1e-12, (u, p)
    from _server import luhn_digit
    assert luhn_digit("811228987") == "4"
    print("self-test ok")


def run(kind: str, env: dict[str, str], requests: int, warmup: int, keep_alive: bool) -> None:
    school, pairs = identifier_pairs(env, kind)
    taken = set().union(*known_identifiers(env)) | {typed for pair in pairs for typed in pair}
    worker = "gthread" if keep_alive else "sync"  # sync workers close every connection
    with gunicorn("wsgi:app", env, workers=1, worker_class=worker) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        flow = open_flow(conn, school)
        existing: list[float] = []
        missing: list[float] = []
        bad: dict[tuple[int, str], int] = {}
        for n in range(warmup + requests):
            pair = pairs[(n // 2) % len(pairs)]
            is_missing = n % 2 == 1
            start = time.perf_counter()
            status, location = post_identifier(conn, flow, pair[is_missing])
            elapsed = (time.perf_counter() - start) * 1000
            if status != 303 or not location.endswith("/hjalp/resultat"):
                bad[status, location] = bad.get((status, location), 0) + 1
            if n >= warmup:
                (missing if is_missing else existing).append(elapsed)
        # Not the target: an identifier's first post of the day (a new case) against a repeat
        # (today's case reused), interleaved the same way. Both are missing identifiers.
        fresh = fresh_identifiers(kind, REPEAT_CHECK // 2, pairs[0][1], taken)
        first: list[float] = []
        again: list[float] = []
        for n in range(REPEAT_CHECK):
            identifier = pairs[0][1] if n % 2 else fresh[n // 2]
            start = time.perf_counter()
            status, location = post_identifier(conn, flow, identifier)
            (again if n % 2 else first).append((time.perf_counter() - start) * 1000)
            if status != 303:
                bad[status, location] = bad.get((status, location), 0) + 1
        conn.close()
    print(f"\n{kind}: school {school}, {len(pairs)} existing guardians paired with {len(pairs)} missing "
          f"identifiers (e.g. {pairs[0][0]!r} / {pairs[0][1]!r}); gunicorn -w 1 -k {worker}, "
          f"{'one kept connection' if keep_alive else 'a new connection per request'}")
    print(f"  {requests} timed POST /hjalp/uppgift after {warmup} warm-up, alternating existing / missing")
    if bad:
        print(f"  NOT 303 to /hjalp/resultat: {bad}")
    med_e, med_m = statistics.median(existing), statistics.median(missing)
    median = statistics.median(existing + missing)
    diff = med_m - med_e
    percent = abs(diff) / median * 100
    _u, p = mann_whitney_u(existing, missing)
    print(f"  {'':<10} {'n':>5} {'median ms':>10} {'p10 ms':>8} {'p90 ms':>8} {'mean ms':>8}")
    for name, xs in (("existing", existing), ("missing", missing)):
        q = statistics.quantiles(xs, n=10)
        print(f"  {name:<10} {len(xs):>5} {statistics.median(xs):>10.3f} {q[0]:>8.3f} {q[-1]:>8.3f} "
              f"{statistics.fmean(xs):>8.3f}")
    print(f"  difference (missing - existing): {diff:+.3f} ms = {percent:.2f} % of the median {median:.3f} ms")
    print(f"  Mann-Whitney U two-sided p = {p:.4f}")
    _u, p_case = mann_whitney_u(first, again)
    print(f"  (not the target; then {REPEAT_CHECK} more, alternating: an identifier's first post of the day, "
          f"a new case, median {statistics.median(first):.3f} ms; a repeat reusing today's case "
          f"{statistics.median(again):.3f} ms; p = {p_case:.4f})")
    met = percent < TARGET_PERCENT and p > TARGET_P and not bad
    print(f"  target: difference < {TARGET_PERCENT:g} % and p > {TARGET_P:g}: {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000, help="generated directory size; 0 = demo")
    parser.add_argument("--kind", choices=("email", "personnummer", "both"), default="both")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--keep-alive", action=argparse.BooleanOptionalAction, default=True,
                        help="one kept connection (gthread worker) or a new one per request (sync worker)")
    parser.add_argument("--self-test", action="store_true", help="check the U test and the check digit")
    args = parser.parse_args()
    if args.self_test:
        self_test()
        return
    print(f"bench_timing: {args.persons or 'demo'} persons, {environment_note()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    for kind in ("email", "personnummer") if args.kind == "both" else (args.kind,):
        env = load_instance(f"timing-{kind}", args.persons)
        run(kind, env, args.requests, args.warmup, args.keep_alive)


if __name__ == "__main__":
    main()
