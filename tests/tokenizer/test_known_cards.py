"""The per-process memory of card tokens (homerun.kit.known_cards, homerun.tokenizer.cache)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from homerun.kit.known_cards import KnownCards
from homerun.tokenizer import cache
from homerun.tokenizer.models import CardToken


def _row(number: int, merchant_id: int = 1) -> CardToken:
    return CardToken(
        id=number,
        merchant_id=merchant_id,
        token=f"9{number:015d}",
        fingerprint=f"{number:064x}",
        data_key_id=1,
        pan_ciphertext=b"sealed",
        brand="VISA",
        bin="411111",
        last_four="1111",
        expiry="1230",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_a_snapshot_keeps_the_fixed_fields_and_leaves_the_expiry_out() -> None:
    known = KnownCards()
    row = _row(7)
    cache.remember(known, row)
    row.last_four = "9999"  # the row is the caller's; the snapshot is not
    snapshot = cache.by_fingerprint(known, 1, f"{7:064x}")
    assert snapshot is not None and snapshot is not row
    assert (snapshot.id, snapshot.token, snapshot.brand, snapshot.bin, snapshot.last_four) == (
        7,
        "9" + "7".zfill(15),
        "VISA",
        "411111",
        "1111",
    )
    assert snapshot.expiry is None
    # Another merchant's card is another card.
    assert cache.by_fingerprint(known, 2, f"{7:064x}") is None


def test_reaching_the_cap_forgets_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(KnownCards, "MAX_ENTRIES", 2)
    known = KnownCards()
    cache.remember(known, _row(1))
    cache.remember(known, _row(2))
    assert len(known) == 2
    cache.remember(known, _row(3))
    assert len(known) == 1
    assert known.get(1, f"{1:064x}") is None and known.get(1, f"{3:064x}") is not None


def test_forget_empties_both_indexes() -> None:
    known = KnownCards()
    cache.remember(known, _row(4))
    known.forget()
    assert len(known) == 0
    assert cache.by_token(known, 1, "9" + "4".zfill(15)) is None
