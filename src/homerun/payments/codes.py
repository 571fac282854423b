"""Gateway (PPS) answers for refusals that never reach the issuer (spec §11, ruling R5)."""

from __future__ import annotations

from dataclasses import dataclass

from homerun.payments.state import Result

GATEWAY_PROC = "PPS"


@dataclass(frozen=True, slots=True)
class Answer:
    result: Result
    resp_code: str
    resp_text: str


INVALID_CARD = Answer(Result.DECLINED, "11", "Invalid card")
BAD_CHECK_DIGIT = Answer(Result.DECLINED, "13", "Bad card check digit")
NON_NUMERIC_CVV = Answer(Result.DECLINED, "14", "Non-numeric CVV")
CARD_EXPIRED = Answer(Result.DECLINED, "16", "Card expired")
TXN_BATCHED = Answer(Result.DECLINED, "27", "Txn Batched")
TXN_NOT_SETTLED = Answer(Result.DECLINED, "28", "Txn not settled")
TXN_NOT_FOUND = Answer(Result.DECLINED, "29", "Txn not found")
WRONG_CURRENCY = Answer(Result.DECLINED, "32", "Wrong currency for merch")
UNKNOWN_CARD_TYPE = Answer(Result.DECLINED, "33", "Unknown card type")
INVALID_AMOUNT = Answer(Result.DECLINED, "43", "Invalid amount")
NO_ACTION = Answer(Result.DECLINED, "94", "No action")
PROFILE_NOT_FOUND = Answer(Result.DECLINED, "96", "Profile not found")
MERCHANT_DISABLED = Answer(Result.DECLINED, "97", "Merchant disabled")
INVALID_TOKEN = Answer(Result.DECLINED, "98", "Invalid token")
SURCHARGE_NOT_SUPPORTED = Answer(Result.DECLINED, "104", "Surcharge Not Supported")
# Homerun's choice (docs/vault-and-billing.md): a merchant-initiated charge (cof "M") on a
# vaulted account never stored with the cardholder's permission (cof_perm "Y").
COF_NOT_PERMITTED = Answer(Result.DECLINED, "34", "Invalid field: no card-on-file permission")
APPROVAL = Answer(Result.APPROVED, "00", "Approval")
