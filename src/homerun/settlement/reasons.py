"""Card-network chargeback reason codes: what each means, and which are fraud claims.

The clock's rule for an undecided chargeback uses `fraud` (docs/settlement.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text: str
    fraud: bool = False


def _table(*reasons: Reason) -> dict[str, Reason]:
    return {reason.code: reason for reason in reasons}


R = Reason
REASONS: dict[str, dict[str, Reason]] = {
    "VISA": _table(
        R("10.1", "EMV Liability Shift Counterfeit Fraud", True),
        R("10.2", "EMV Liability Shift Non-Counterfeit Fraud", True),
        R("10.3", "Other Fraud - Card-Present Environment", True),
        R("10.4", "Other Fraud - Card-Absent Environment", True),
        R("10.5", "Visa Fraud Monitoring Program", True),
        R("11.1", "Card Recovery Bulletin"),
        R("11.2", "Declined Authorization"),
        R("11.3", "No Authorization"),
        R("12.1", "Late Presentment"),
        R("12.2", "Incorrect Transaction Code"),
        R("12.3", "Incorrect Currency"),
        R("12.4", "Incorrect Account Number"),
        R("12.5", "Incorrect Amount"),
        R("12.6.1", "Duplicate Processing"),
        R("12.6.2", "Paid by Other Means"),
        R("12.7", "Invalid Data"),
        R("13.1", "Merchandise/Services Not Received"),
        R("13.2", "Cancelled Recurring Transaction"),
        R("13.3", "Not as Described or Defective Merchandise/Services"),
        R("13.4", "Counterfeit Merchandise"),
        R("13.5", "Misrepresentation"),
        R("13.6", "Credit Not Processed"),
        R("13.7", "Cancelled Merchandise/Services"),
    ),
    "MASTERCARD": _table(
        R("4808", "Authorization-Related Chargeback"),
        R("4831", "Transaction Amount Differs"),
        R("4834", "Point-of-Interaction Error"),
        R("4837", "No Cardholder Authorization", True),
        R("4840", "Fraudulent Processing of Transactions", True),
        R("4841", "Cancelled Recurring or Digital Goods Transactions"),
        R("4842", "Late Presentment"),
        R("4849", "Questionable Merchant Activity", True),
        R("4853", "Cardholder Dispute"),
        R("4855", "Goods or Services Not Provided"),
        R("4860", "Credit Not Processed"),
        R("4863", "Cardholder Does Not Recognize - Potential Fraud", True),
        R("4870", "Chip Liability Shift", True),
        R("4871", "Chip/PIN Liability Shift", True),
    ),
    "AMEX": _table(
        R("A01", "Charge Amount Exceeds Authorization Amount"),
        R("A02", "No Valid Authorization"),
        R("A08", "Authorization Approval Expired"),
        R("C02", "Credit Not Processed"),
        R("C04", "Goods/Services Returned or Refused"),
        R("C05", "Goods/Services Cancelled"),
        R("C08", "Goods/Services Not Received or Only Partially Received"),
        R("C14", "Paid by Other Means"),
        R("C28", "Cancelled Recurring Billing"),
        R("C31", "Goods/Services Not as Described"),
        R("C32", "Goods/Services Damaged or Defective"),
        R("F10", "Missing Imprint", True),
        R("F24", "No Card Member Authorization", True),
        R("F29", "Card Not Present", True),
        R("FR2", "Fraud Full Recourse Program", True),
        R("P05", "Incorrect Charge Amount"),
        R("P07", "Late Submission"),
        R("P08", "Duplicate Charge"),
        R("P23", "Currency Discrepancy"),
    ),
    "DISCOVER": _table(
        R("AA", "Does Not Recognize"),
        R("AP", "Cancelled Recurring Billing"),
        R("AW", "Altered Amount"),
        R("DP", "Duplicate Processing"),
        R("NA", "No Authorization"),
        R("PM", "Paid by Other Means"),
        R("RG", "Non-Receipt of Goods, Services or Cash"),
        R("RM", "Quality Discrepancy"),
        R("RN2", "Credit Not Received"),
        R("UA01", "Fraud - Card Present Transaction", True),
        R("UA02", "Fraud - Card Not Present Transaction", True),
        R("UA05", "Fraud - Chip Counterfeit Transaction", True),
        R("UA06", "Fraud - Chip and PIN Transaction", True),
    ),
}

DEFAULT_CODES = {"VISA": "10.4", "MASTERCARD": "4837", "AMEX": "F29", "DISCOVER": "UA02"}


def lookup(brand: str | None, code: str) -> Reason | None:
    """The reason for a code on the brand's network (any network's, brand unknown)."""
    tables = [REASONS[brand]] if brand in REASONS else list(REASONS.values())
    for table in tables:
        if code in table:
            return table[code]
    return None


def default_for(brand: str | None) -> Reason:
    network = brand if brand in DEFAULT_CODES else "VISA"
    return REASONS[network][DEFAULT_CODES[network]]


def codes_for(brand: str | None) -> list[str]:
    tables = [REASONS[brand]] if brand in REASONS else list(REASONS.values())
    return [code for table in tables for code in table]
