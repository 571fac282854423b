"""Gateway (PPS) answers for refusals that never reach the issuer (spec §11, ruling R5)."""

from __future__ import annotations

from dataclasses import dataclass

GATEWAY_PROC = "PPS"


@dataclass(frozen=True, slots=True)
class Answer:
    result: str  # A | B | C
    resp_code: str
    resp_text: str


INVALID_CARD = Answer("C", "11", "Invalid card")
BAD_CHECK_DIGIT = Answer("C", "13", "Bad card check digit")
NON_NUMERIC_CVV = Answer("C", "14", "Non-numeric CVV")
CARD_EXPIRED = Answer("C", "16", "Card expired")
TXN_BATCHED = Answer("C", "27", "Txn Batched")
TXN_NOT_SETTLED = Answer("C", "28", "Txn not settled")
TXN_NOT_FOUND = Answer("C", "29", "Txn not found")
WRONG_CURRENCY = Answer("C", "32", "Wrong currency for merch")
UNKNOWN_CARD_TYPE = Answer("C", "33", "Unknown card type")
INVALID_AMOUNT = Answer("C", "43", "Invalid amount")
NO_ACTION = Answer("C", "94", "No action")
PROFILE_NOT_FOUND = Answer("C", "96", "Profile not found")
MERCHANT_DISABLED = Answer("C", "97", "Merchant disabled")
INVALID_TOKEN = Answer("C", "98", "Invalid token")
SURCHARGE_NOT_SUPPORTED = Answer("C", "104", "Surcharge Not Supported")
# Homerun's choice (docs/vault-and-billing.md): a merchant-initiated charge (cof "M") on a
# vaulted account never stored with the cardholder's permission (cof_perm "Y").
COF_NOT_PERMITTED = Answer("C", "34", "Invalid field: no card-on-file permission")
APPROVAL = Answer("A", "00", "Approval")
