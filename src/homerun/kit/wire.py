"""Wire types every API surface shares: flags, card expiries, MIDs, short texts, and the
lenient base model of request bodies.

They live in kit so that the packages whose requests use them (payments, vault, billing)
need not import each other for them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from homerun.kit.cards import Expiry, parse_expiry
from homerun.kit.flags import parse_flag

_FLAG_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "enum": ["Y", "N", "y", "n", "true", "false", "1", "0"]},
        {"type": "boolean"},
        {"type": "integer", "enum": [0, 1]},
    ],
    "description": 'A flag: "Y"/"N", true/false (string or JSON) or 1/0 (ruling R4).',
    "examples": ["Y"],
}
_EXPIRY_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": (
        r"^((0[1-9]|1[0-2])\d{2}|(0?[1-9]|1[0-2])/(\d{2}|\d{4})"
        r"|\d{4}(0[1-9]|1[0-2])|\d{4}-(0[1-9]|1[0-2]))$"
    ),
    "description": "Card expiry as MMYY, MM/YY, MM/YYYY, YYYYMM or YYYY-MM (ruling R11).",
    "examples": ["12/29", "202911"],
}

Flag = Annotated[bool, BeforeValidator(parse_flag), WithJsonSchema(_FLAG_SCHEMA)]
CardExpiry = Annotated[Expiry, BeforeValidator(parse_expiry), WithJsonSchema(_EXPIRY_SCHEMA)]
MID = Annotated[str, Field(min_length=1, max_length=32)]
ShortText = Annotated[str, Field(max_length=255)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=True)
