"""The closed lists of the Boarding API's application fields, and the pricing and fee keys."""

from __future__ import annotations

PLATFORMS = ("fiserv", "payroc")
OWNERSHIP_COMMON = ("sole_proprietorship", "partnership", "llc")
OWNERSHIP_BY_PLATFORM: dict[str, tuple[str, ...]] = {
    "fiserv": (*OWNERSHIP_COMMON, "tax_exempt", "public_corp", "private_corp"),
    "payroc": (*OWNERSHIP_COMMON, "s_corp", "c_corp", "other"),
}
OWNERSHIP_TYPES = tuple(dict.fromkeys(t for ts in OWNERSHIP_BY_PLATFORM.values() for t in ts))
WHEN_CARD_CHARGED = ("at_time_of_sale", "at_shipment", "at_delivery", "in_advance", "recurring")
SERVICES_PROVIDED_IN = (
    "same_day",
    "1_to_7_days",
    "8_to_14_days",
    "15_to_30_days",
    "31_to_90_days",
    "over_90_days",
)
REFUND_POLICIES = ("full_refund", "partial_refund", "exchange_only", "store_credit", "no_refunds")
ADDRESS_TYPES = ("business", "mailing", "legal")
ACCOUNT_TYPES = ("checking", "savings")
PRICING_TYPES = ("flat_rate", "interchange_plus", "tiered")
PRODUCTS = (
    "gateway",
    "virtual_terminal",
    "hosted_payment_page",
    "recurring_billing",
    "terminal",
    "mobile_reader",
    "ach",
)
CARD_PRODUCTS = frozenset(PRODUCTS) - {"ach"}
# Pricing keys by unit: rates (percent) and per-item amounts (dollars).
RATE_KEYS = (
    "discount_rate",
    "mid_qualified_rate",
    "non_qualified_rate",
    "amex_discount_rate",
    "ach_discount_rate",
)
TIERED_ONLY = ("mid_qualified_rate", "non_qualified_rate")
PRICING_MONEY_KEYS = ("per_item_fee", "amex_per_item_fee", "ach_per_item_fee")
FEE_KEYS = (
    "application_fee",
    "monthly_fee",
    "annual_fee",
    "statement_fee",
    "monthly_minimum",
    "pci_compliance_fee",
    "pci_non_compliance_fee",
    "batch_fee",
    "chargeback_fee",
    "retrieval_fee",
    "ach_return_fee",
    "gateway_fee",
    "early_termination_fee",
)
