"""The documented JSON type of a decimal the server takes as a string or as a number.

Such fields are validated by a BeforeValidator and kept as integers inside (minor units,
basis points), so pydantic would document them as integers; a client generated from that
would send the wrong form. This states what the wire takes instead.
"""

from __future__ import annotations

from pydantic import WithJsonSchema

DOLLARS = r"^\d{1,12}(\.\d{1,2})?$"
SIGNED_DOLLARS = r"^-?\d{1,12}(\.\d{1,2})?$"


def decimal_string_or_number(pattern: str, example: str, meaning: str) -> WithJsonSchema:
    """A decimal string matching `pattern` (the preferred form, e.g. "3.00"), or a number."""
    return WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": pattern}, {"type": "number"}],
            "description": f'{meaning}: a decimal string such as "{example}", or a number',
            "examples": [example],
        }
    )
