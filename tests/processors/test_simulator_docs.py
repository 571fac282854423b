"""docs/testing.md and the simulator's card table must say the same thing."""

from __future__ import annotations

from pathlib import Path

from homerun.kit.cards import check_pan
from homerun.processors.simulator.cards import TEST_CARDS, Behaviour

DOC = (Path(__file__).resolve().parents[2] / "docs" / "testing.md").read_text()


def test_every_test_card_is_documented_and_every_documented_card_exists() -> None:
    for card in TEST_CARDS:
        assert f"`{card.pan}`" in DOC, f"{card.pan} is missing from docs/testing.md"
        assert check_pan(card.pan) == card.brand
    documented = {
        cell.strip("`")
        for line in DOC.splitlines()
        if line.startswith("| `")
        for cell in [line.split("|")[1].strip()]
        if cell.strip("`").isdigit()
    }
    assert documented == {card.pan for card in TEST_CARDS}


def test_documented_decline_codes_match_the_table() -> None:
    for card in TEST_CARDS:
        if card.behaviour is Behaviour.DECLINE:
            assert f"| `{card.pan}` | `{card.decline_code}` | {card.decline_text} |" in DOC
