"""The per-process memory of card tokens (homerun.tokenizer.cache)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from homerun.tokenizer.cache import KnownCards
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
    known.remember(row)
    row.last_four = "9999"  # the row is the caller's; the snapshot is not
    snapshot = known.get(1, f"{7:064x}")
    assert snapshot is not None and snapshot is not row
    assert (snapshot.id, snapshot.token, snapshot.brand, snapshot.bin, snapshot.last_four) == (
        7,
        "9" + "7".zfill(15),
        "VISA",
        "411111",
        "1111",
    )
    assert snapshot.expiry is None
    assert known.get(2, f"{7:064x}") is None  # another merchant's card is another card


def test_reaching_the_cap_forgets_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(KnownCards, "MAX_ENTRIES", 2)
    known = KnownCards()
    known.remember(_row(1))
    known.remember(_row(2))
    assert len(known) == 2
    known.remember(_row(3))
    assert len(known) == 1
    assert known.get(1, f"{1:064x}") is None and known.get(1, f"{3:064x}") is not None
