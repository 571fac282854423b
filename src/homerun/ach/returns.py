"""NACHA return reason codes (R01..R85) and notification-of-change codes (C01..C14).

A return undoes a payment (the money goes back); a notification of change (NOC) moves no
money and tells the originator to correct the account details for the next payment.
"""

from __future__ import annotations

import re

# fmt: off
RETURN_REASONS: dict[str, str] = {
    "R01": "Insufficient funds",
    "R02": "Account closed",
    "R03": "No account/unable to locate account",
    "R04": "Invalid account number",
    "R05": "Unauthorized debit to consumer account using corporate SEC code",
    "R06": "Returned per ODFI's request",
    "R07": "Authorization revoked by customer",
    "R08": "Payment stopped",
    "R09": "Uncollected funds",
    "R10": "Customer advises not authorized",
    "R11": "Customer advises entry not in accordance with the terms of the authorization",
    "R12": "Account sold to another DFI",
    "R13": "Invalid ACH routing number",
    "R14": "Representative payee deceased or unable to continue in that capacity",
    "R15": "Beneficiary or account holder deceased",
    "R16": "Account frozen/entry returned per OFAC instruction",
    "R17": "File record edit criteria",
    "R18": "Improper effective entry date",
    "R19": "Amount field error",
    "R20": "Non-transaction account",
    "R21": "Invalid company identification",
    "R22": "Invalid individual ID number",
    "R23": "Credit entry refused by receiver",
    "R24": "Duplicate entry",
    "R25": "Addenda error",
    "R26": "Mandatory field error",
    "R27": "Trace number error",
    "R28": "Routing number check digit error",
    "R29": "Corporate customer advises not authorized",
    "R30": "RDFI not participant in check truncation program",
    "R31": "Permissible return entry (CCD and CTX only)",
    "R32": "RDFI non-settlement",
    "R33": "Return of XCK entry",
    "R34": "Limited participation DFI",
    "R35": "Return of improper debit entry",
    "R36": "Return of improper credit entry",
    "R37": "Source document presented for payment",
    "R38": "Stop payment on source document",
    "R39": "Improper source document",
    "R40": "Return of ENR entry by federal government agency",
    "R41": "Invalid transaction code",
    "R42": "Routing number/check digit error",
    "R43": "Invalid DFI account number",
    "R44": "Invalid individual ID number/identification number",
    "R45": "Invalid individual name/company name",
    "R46": "Invalid representative payee indicator",
    "R47": "Duplicate enrollment",
    "R50": "State law affecting RCK acceptance",
    "R51": "Item related to RCK entry is ineligible or RCK entry is improper",
    "R52": "Stop payment on item related to RCK entry",
    "R53": "Item and RCK entry presented for payment",
    "R61": "Misrouted return",
    "R62": "Return of erroneous or reversing debit",
    "R67": "Duplicate return",
    "R68": "Untimely return",
    "R69": "Field error(s)",
    "R70": "Permissible return entry not accepted/return not requested by ODFI",
    "R71": "Misrouted dishonored return",
    "R72": "Untimely dishonored return",
    "R73": "Timely original return",
    "R74": "Corrected return",
    "R75": "Return not a duplicate",
    "R76": "No errors found",
    "R77": "Non-acceptance of R62 dishonored return",
    "R80": "IAT entry coding error",
    "R81": "Non-participant in IAT program",
    "R82": "Invalid foreign receiving DFI identification",
    "R83": "Foreign receiving DFI unable to settle",
    "R84": "Entry not processed by gateway",
    "R85": "Incorrectly coded outbound international payment",
}

CHANGE_REASONS: dict[str, str] = {
    "C01": "Incorrect DFI account number",
    "C02": "Incorrect routing number",
    "C03": "Incorrect routing number and incorrect DFI account number",
    "C05": "Incorrect transaction code",
    "C06": "Incorrect DFI account number and incorrect transaction code",
    "C07": "Incorrect routing number, DFI account number and transaction code",
    "C08": "Incorrect receiving DFI identification (IAT only)",
    "C09": "Incorrect individual identification number",
    "C13": "Addenda format error",
    "C14": "Incorrect SEC code for outbound international payment",
}
# fmt: on

_RETURN = re.compile(r"^R(0[1-9]|[1-7]\d|8[0-5])$")


def is_return(code: str) -> bool:
    """Any code R01..R85 (a code NACHA left unassigned too: banks send what they send)."""
    return bool(_RETURN.match(code))


def is_change(code: str) -> bool:
    return code in CHANGE_REASONS


def reason_of(code: str) -> str:
    """The reason text of a return or change code (a generic one for an unlisted return)."""
    return RETURN_REASONS.get(code) or CHANGE_REASONS.get(code) or f"Return reason {code}"
