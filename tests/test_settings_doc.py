"""docs/settings.md documents every setting of homerun.config.Settings."""

from __future__ import annotations

from pathlib import Path

from homerun.config import Settings

DOC = (Path(__file__).resolve().parents[1] / "docs" / "settings.md").read_text()


def test_every_setting_is_documented() -> None:
    missing = [
        f"HOMERUN_{name.upper()}"
        for name in Settings.model_fields
        if f"`HOMERUN_{name.upper()}`" not in DOC
    ]
    assert missing == [], f"document these in docs/settings.md: {missing}"
