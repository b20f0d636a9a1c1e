"""The README's test command ends green on a machine without Debian's chromium (issue 16): the browser
tests stand aside with one line saying what to install, except under CI, where they must run (and fail)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _collect(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    environ.update(env, TEST_CHROMIUM="/nonexistent/chromium")
    return subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
def test_without_chromium_the_browser_tests_stand_aside_with_one_line():
    result = _collect()
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "tests/browser/" not in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert lines == ["SKIPPED the browser tests (tests/browser) need Debian's chromium at /nonexistent/chromium: "
                     "install it with `sudo apt-get install -y --no-install-recommends chromium fonts-noto-core` "
                     "(fonts-noto-core: the Arabic and Ethiopic letters of the pages in Arabic, Persian and Tigrinya; "
                     "never `playwright install`)"]


@pytest.mark.slow
def test_under_ci_a_missing_chromium_is_not_skipped():
    result = _collect(CI="true")
    assert "tests/browser/test_flow.py::" in result.stdout
    assert "SKIPPED" not in result.stdout
