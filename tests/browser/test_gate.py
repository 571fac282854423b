"""When the browser tests skip and when they must fail (no browser needed here)."""

from __future__ import annotations

import pytest

from tests.browser import conftest


def test_present_chromium_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "CHROMIUM", __file__)
    assert conftest._chromium_or_skip() == __file__


def test_missing_chromium_fails_where_it_could_be_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(conftest.os, "geteuid", lambda: 0)
    monkeypatch.setattr(conftest.shutil, "which", lambda name: "/usr/bin/" + name)
    with pytest.raises(pytest.fail.Exception, match="can install it"):
        conftest._chromium_or_skip()


@pytest.mark.parametrize(("uid", "apt"), [(1000, "/usr/bin/apt-get"), (0, None)])
def test_missing_chromium_skips_where_it_cannot_be_installed(
    monkeypatch: pytest.MonkeyPatch, uid: int, apt: str | None
) -> None:
    monkeypatch.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(conftest.os, "geteuid", lambda: uid)
    monkeypatch.setattr(conftest.shutil, "which", lambda name: apt)
    with pytest.raises(pytest.skip.Exception, match="cannot be installed here"):
        conftest._chromium_or_skip()
