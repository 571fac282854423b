"""The originating bank's settings of the NACHA files (docs/settings.md)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from homerun.config import Settings


def test_the_odfi_routing_number_must_pass_the_aba_checksum() -> None:
    assert Settings(ach_odfi_routing_number="021000021").ach_odfi_routing_number == "021000021"
    for wrong in ("021000022", "02100002", "0210000211", "02100002x"):
        with pytest.raises(ValidationError) as refused:
            Settings(ach_odfi_routing_number=wrong)
        assert refused.value.errors()[0]["loc"] == ("ach_odfi_routing_number",)


def test_the_odfi_name_fits_the_file_header() -> None:
    assert Settings().ach_odfi_name == "Homerun Sandbox Bank"
    with pytest.raises(ValidationError):
        Settings(ach_odfi_name="A" * 24)
