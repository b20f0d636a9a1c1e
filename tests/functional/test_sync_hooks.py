"""The app looks up each view's and hook's synchronous form once (portal/__init__.py, `Portal`): what Flask
does with them must not change."""

from __future__ import annotations

import pytest
from flask import Flask


def test_a_coroutine_is_still_handed_to_flask_every_time(app):
    async def view() -> str:  # pragma: no cover - never awaited
        return "x"

    def plain() -> str:
        return "x"

    assert app.ensure_sync(plain) is plain
    assert app.ensure_sync(plain) is plain
    # Flask refuses a coroutine without its `async` extra; the portal must not hand the coroutine back as if synchronous
    for _ in range(2):
        with pytest.raises(RuntimeError) as portal_refusal:
            app.ensure_sync(view)
        with pytest.raises(RuntimeError) as flask_refusal:
            Flask(__name__).ensure_sync(view)
        assert str(portal_refusal.value) == str(flask_refusal.value)
