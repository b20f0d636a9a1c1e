"""Shared bits for the benchmarks: generated files, fresh app instances, peak memory."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def data_file(n: int, seed: int = 1) -> Path:
    """The generated directory of n persons (made once, kept in bench/out/)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"directory-{n}.json"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), str(path), "--seed", str(seed)],
                       check=True)
    return path


def fresh_instance(name: str) -> dict[str, str]:
    """Environment for a portal on a new SQLite file under bench/out/."""
    folder = OUT / name
    if folder.exists():
        for p in sorted(folder.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PORTAL_INSTANCE_PATH"] = str(folder)
    env.pop("PORTAL_DATABASE_URL", None)
    return env


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
