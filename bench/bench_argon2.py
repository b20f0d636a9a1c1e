"""argon2id hash and verify time at the portal's parameters (portal/passwords.py).

    python bench/bench_argon2.py [--rounds N]       (default 21)

Hashes and verifies a 30-character password N times each, one after the other in this process, and
prints the median, the fastest and the slowest of each, with the parameters and the machine's load
average (other processes on a 2 vCPU machine move the figures a lot). What the reset page's POST pays
once, in the one request that wins the link. A verify costs what a hash costs: that is the point.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import passwords  # noqa: E402

PASSWORD = "mormors blåbärssylt är bäst 🫐"


def timed(fn, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    print(f"{passwords.parameters_text()}, salt 16 B, hash 32 B; {args.rounds} rounds; "
          f"load average before {os.getloadavg()[0]:.2f}")
    passwords.hash_password(PASSWORD)  # warm up: the first hash maps the memory
    hashes = timed(lambda: passwords.hash_password(PASSWORD), args.rounds)
    stored = passwords.hash_password(PASSWORD)
    verifies = timed(lambda: passwords.verify(stored, PASSWORD), args.rounds)
    for name, times in (("hash", hashes), ("verify", verifies)):
        print(f"{name:6}  median {statistics.median(times):7.1f} ms   min {min(times):7.1f} ms   "
              f"max {max(times):7.1f} ms")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
