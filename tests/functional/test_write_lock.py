"""The web processes' write lock for SQLite (portal/recording.py, FileLock): while one process holds it, another
process and another thread wait, and each gets it the moment it is given back (also after an error inside)."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading

import pytest

from portal.recording import FileLock


def _held_elsewhere(path: str) -> bool:
    """Could a process that opens the file itself take the lock now? (non-blocking)"""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _take_in_child(path: str, result) -> None:  # type: ignore[no-untyped-def]
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result.put("took it")
    except BlockingIOError:
        result.put("had to wait")
    finally:
        os.close(fd)


def test_another_process_waits_while_it_is_held_and_gets_it_after(tmp_path) -> None:
    lock = FileLock(str(tmp_path / "portal.sqlite3-lock"))
    with lock:
        result: multiprocessing.Queue[str] = multiprocessing.get_context("fork").Queue()
        child = multiprocessing.get_context("fork").Process(target=_take_in_child, args=(lock.path, result))
        child.start()
        child.join(30)
        assert result.get(timeout=5) == "had to wait"
    assert not _held_elsewhere(lock.path)


def test_another_thread_waits_and_an_error_inside_gives_it_back(tmp_path) -> None:
    lock = FileLock(str(tmp_path / "portal.sqlite3-lock"))
    order: list[str] = []
    with lock:
        other = threading.Thread(target=lambda: (lock.__enter__(), order.append("other"), lock.__exit__()))
        other.start()
        other.join(0.2)
        order.append("first done")
    other.join(30)
    assert order == ["first done", "other"]
    with pytest.raises(RuntimeError), lock:
        raise RuntimeError("a failed write")
    assert not _held_elsewhere(lock.path)
