"""Wire shapes of the Boarding API and of its /homerun/v1 administration.

Amounts are JSON numbers in dollars on the wire (ruling R3) and minor units inside;
percentages are numbers on the wire and hundredths inside; pricing rates are
thousandths of a percent inside. Conversions happen here and nowhere else.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from homerun.boarding import validation as v
from homerun.boarding.amounts import dollars_out, fees_out, percent_out, pricing_out
from homerun.boarding.choices import (
    ACCOUNT_TYPES,
    ADDRESS_TYPES,
    OWNERSHIP_TYPES,
    PLATFORMS,
    PRICING_TYPES,
    PRODUCTS,
    REFUND_POLICIES,
    SERVICES_PROVIDED_IN,
    TIERED_ONLY,
    WHEN_CARD_CHARGED,
)
from homerun.boarding.fields import (
    Dollars,
    Flag,
    Id,
    Percent,
    Phone,
    Rate,
    State,
    SurchargeBps,
    Zip,
    choice,
    text,
    whole,
)
from homerun.boarding.state import STATUS_IDS
from homerun.kit.clock import as_utc


class Address(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    type: Annotated[
        str,
        BeforeValidator(choice(ADDRESS_TYPES)),
        Field(validation_alias=AliasChoices("type", "address_type")),
    ] = "business"
    address1: Annotated[str, Field(min_length=1, max_length=100)]
    address2: Annotated[str, Field(max_length=100)] | None = None
    city: Annotated[str, Field(min_length=1, max_length=50)]
    state: State
    zip: Zip
    country: Annotated[str, BeforeValidator(text(v.country))] = "US"


class BankAccount(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    routing_number: Annotated[str, BeforeValidator(text(v.routing_number))]
    account_number: Annotated[str, BeforeValidator(text(v.account_number))]
    account_type: Annotated[str, BeforeValidator(choice(ACCOUNT_TYPES))] = "checking"
    bank_name: Annotated[str, Field(max_length=100)] | None = None
    account_holder_name: Annotated[str, Field(max_length=100)] | None = None


class Pricing(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    pricing_type: Annotated[str, BeforeValidator(choice(PRICING_TYPES))]
    discount_rate: Rate | None = None
    per_item_fee: Dollars | None = None
    mid_qualified_rate: Rate | None = None
    non_qualified_rate: Rate | None = None
    amex_discount_rate: Rate | None = None
    amex_per_item_fee: Dollars | None = None
    ach_discount_rate: Rate | None = None
    ach_per_item_fee: Dollars | None = None
    surcharge_rate: SurchargeBps | None = None

    @model_validator(mode="after")
    def _tiered_rates(self) -> Pricing:
        if self.pricing_type != "tiered":
            for key in TIERED_ONLY:
                if getattr(self, key) is not None:
                    raise ValueError(f"{key} only applies to tiered pricing")
        return self


class Fees(BaseModel):
    model_config = ConfigDict(extra="ignore")

    application_fee: Dollars | None = None
    monthly_fee: Dollars | None = None
    annual_fee: Dollars | None = None
    statement_fee: Dollars | None = None
    monthly_minimum: Dollars | None = None
    pci_compliance_fee: Dollars | None = None
    pci_non_compliance_fee: Dollars | None = None
    batch_fee: Dollars | None = None
    chargeback_fee: Dollars | None = None
    retrieval_fee: Dollars | None = None
    ach_return_fee: Dollars | None = None
    gateway_fee: Dollars | None = None
    early_termination_fee: Dollars | None = None


class Product(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    product: Annotated[
        str,
        BeforeValidator(choice(PRODUCTS)),
        Field(validation_alias=AliasChoices("product", "product_code", "name")),
    ]
    quantity: Annotated[int, BeforeValidator(whole(1, 999))] = 1
    model: Annotated[str, Field(max_length=50)] | None = None


def _unique(items: list[Any], key: str, what: str) -> list[Any]:
    seen: set[str] = set()
    for item in items:
        value = getattr(item, key)
        if value in seen:
            raise ValueError(f"lists {what} {value} twice")
        seen.add(value)
    return items


class PricingParts(BaseModel):
    """Pricing, fees and products: on an application, or on a partner's template."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    pricing: Pricing | None = None
    fees: Fees | None = None
    products: Annotated[list[Product], Field(max_length=len(PRODUCTS))] | None = None

    @field_validator("products")
    @classmethod
    def _products_unique(cls, products: list[Product] | None) -> list[Product] | None:
        return None if products is None else _unique(products, "product", "product")


class ApplicationCreate(PricingParts):
    """POST /ords/relay/api/boarding/v1/merchants (spec §7.2 plus the designed fields)."""

    platform: Annotated[str, BeforeValidator(choice(PLATFORMS))]
    rep_code: Annotated[str, Field(min_length=1, max_length=32)]
    dba_name: Annotated[str, Field(min_length=1, max_length=150)]
    signer_first_name: Annotated[str, Field(min_length=1, max_length=100)]
    signer_last_name: Annotated[str, Field(min_length=1, max_length=100)]
    signer_email: Annotated[str, BeforeValidator(text(v.email)), Field(max_length=150)]

    customer_id: Id | None = None
    application_template_id: Id | None = None
    legal_name: Annotated[str, Field(min_length=1, max_length=150)] | None = None
    tax_id: Annotated[str, BeforeValidator(text(v.tax_id)), Field(max_length=12)] | None = None
    years_in_business: Annotated[int, BeforeValidator(whole(0, 200))] | None = None
    website: Annotated[str, BeforeValidator(text(v.website)), Field(max_length=250)] | None = None
    phone: Phone | None = None
    mcc_code: Annotated[str, BeforeValidator(text(v.mcc)), Field(max_length=4)] | None = None
    business_desc: Annotated[str, Field(max_length=400)] | None = None
    when_card_charged: Annotated[str, BeforeValidator(choice(WHEN_CARD_CHARGED))] | None = None
    services_provided_in: Annotated[str, BeforeValidator(choice(SERVICES_PROVIDED_IN))] | None = (
        None
    )
    refund_policy: Annotated[str, BeforeValidator(choice(REFUND_POLICIES))] | None = None
    seasonal: Flag = False
    seasonal_months: (
        Annotated[str, Field(max_length=30), BeforeValidator(text(v.seasonal_months))] | None
    ) = None
    annual_volume: Dollars | None = None
    average_ticket: Dollars | None = None
    highest_ticket: Dollars | None = None
    in_person_pct: Percent | None = None
    online_pct: Percent | None = None
    telephone_pct: Percent | None = None
    ownership_type: Annotated[str, BeforeValidator(choice(OWNERSHIP_TYPES))] | None = None

    signer_title: Annotated[str, Field(max_length=100)] | None = None
    signer_phone: Phone | None = None
    signer_dob: Annotated[str, BeforeValidator(text(v.birth_date))] | None = None
    signer_address1: Annotated[str, Field(max_length=100)] | None = None
    signer_address2: Annotated[str, Field(max_length=100)] | None = None
    signer_city: Annotated[str, Field(max_length=50)] | None = None
    signer_state: State | None = None
    signer_zip: Zip | None = None
    signer_ownership_pct: Percent | None = None

    addresses: Annotated[list[Address], Field(max_length=len(ADDRESS_TYPES))] = []
    bank_account: BankAccount | None = None
    auto_send_for_signature: Annotated[
        Flag,
        Field(
            validation_alias=AliasChoices(
                "auto_send_for_signature", "auto_send", "send_for_signature"
            )
        ),
    ] = False
    external_crm_id: Annotated[str, Field(max_length=100)] | None = None
    custom_01: Annotated[str, Field(max_length=250)] | None = None

    @field_validator("addresses")
    @classmethod
    def _addresses_unique(cls, addresses: list[Address]) -> list[Address]:
        return _unique(addresses, "type", "address type")


class PartnerSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    signature_delay_seconds: Annotated[int, Field(ge=0, le=366 * 86400)] | None = None
    underwriting_delay_seconds: Annotated[int, Field(ge=0, le=366 * 86400)] | None = None
    go_live_delay_seconds: Annotated[int, Field(ge=0, le=366 * 86400)] | None = None
    go_live_by_clock: Flag | None = None


class PartnerCreate(PartnerSettings):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    parent_partner_id: Annotated[int, Field(ge=1)] | None = None


class PartnerUpdate(PartnerSettings):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class RepCodeCreate(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    rep_code: Annotated[
        str,
        Field(
            min_length=1,
            max_length=32,
            pattern=r"^[A-Za-z0-9_\-]+$",
            validation_alias=AliasChoices("rep_code", "code"),
        ),
    ]
    name: Annotated[str, Field(max_length=200)] | None = None


class PartnerClientCreate(BaseModel):
    """A new OAuth client for the partner, or (with client_id) an existing one bound to it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    audience: Annotated[str, Field(pattern="^(reporting|boarding)$")] = "boarding"
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    client_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class TemplateCreate(PricingParts):
    name: Annotated[str, Field(min_length=1, max_length=200)]


class ActionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    reason: Annotated[str, Field(max_length=400)] | None = None


# ---- answers -----------------------------------------------------------------------------


def pricing_stored(pricing: Pricing | None) -> dict[str, Any] | None:
    return None if pricing is None else pricing.model_dump()


def fees_stored(fees: Fees | None) -> dict[str, Any] | None:
    return None if fees is None else fees.model_dump()


def products_stored(products: list[Product] | None) -> list[dict[str, Any]] | None:
    return None if products is None else [p.model_dump() for p in products]


class MerchantItem(BaseModel):
    """A merchant in the List merchants envelope (spec §7.1)."""

    merchant_id: int
    platform: str
    rep_code: str
    customer_id: int | None
    mid: str | None
    dba_name: str
    legal_name: str | None
    merchant_status: str
    merchant_status_id: int
    pended: int
    merchant_type_id: int
    external_crm_id: str | None
    custom_01: str | None


Number = int | float


class MerchantDetail(MerchantItem):
    """Get a single merchant (spec §7.3) with every designed field (docs/boarding.md)."""

    tax_id: str | None
    years_in_business: int | None
    website: str | None
    phone: str | None
    mcc_code: str | None
    business_desc: str | None
    when_card_charged: str | None
    services_provided_in: str | None
    refund_policy: str | None
    seasonal: bool
    seasonal_months: str | None
    annual_volume: Number | None
    average_ticket: Number | None
    highest_ticket: Number | None
    in_person_pct: Number | None
    online_pct: Number | None
    telephone_pct: Number | None
    ownership_type: str | None
    signer_first_name: str
    signer_last_name: str
    signer_email: str
    signer_title: str | None
    signer_phone: str | None
    signer_dob: str | None
    signer_address1: str | None
    signer_address2: str | None
    signer_city: str | None
    signer_state: str | None
    signer_zip: str | None
    signer_ownership_pct: Number | None
    addresses: list[dict[str, Any]]
    bank_account: dict[str, Any] | None
    application_template_id: int | None
    pricing: dict[str, Any] | None
    fees: dict[str, Any] | None
    products: list[dict[str, Any]] | None
    auto_send_for_signature: str
    status_reason: str | None
    created_at: str
    updated_at: str


class Link(BaseModel):
    rel: str
    href: str


class Envelope(BaseModel):
    hasMore: bool
    limit: int
    offset: int
    count: int
    links: list[Link]


class MerchantPage(Envelope):
    items: list[MerchantItem]


class RepCodeItem(BaseModel):
    rep_code_id: int
    rep_code: str
    name: str | None


class RepCodePage(Envelope):
    items: list[RepCodeItem]


class MccItem(BaseModel):
    mcc_code: str
    description: str


class MccPage(Envelope):
    items: list[MccItem]


class MerchantCreated(BaseModel):
    merchant_id: int


def merchant_item(app: Any, rep_code: str) -> dict[str, Any]:
    return {
        "merchant_id": app.id,
        "platform": app.platform,
        "rep_code": rep_code,
        "customer_id": app.customer_id,
        "mid": app.mid,
        "dba_name": app.dba_name,
        "legal_name": app.legal_name,
        "merchant_status": app.status,
        "merchant_status_id": STATUS_IDS[app.status],
        "pended": app.pended,
        "merchant_type_id": app.merchant_type_id,
        "external_crm_id": app.external_crm_id,
        "custom_01": app.custom_01,
    }


def _bank_out(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    return {
        "routing_number": stored.get("routing_number"),
        "account_number": "****" + str(stored.get("account_last4", "")),
        "account_type": stored.get("account_type"),
        "bank_name": stored.get("bank_name"),
        "account_holder_name": stored.get("account_holder_name"),
    }


def merchant_detail(app: Any, rep_code: str) -> dict[str, Any]:
    return {
        **merchant_item(app, rep_code),
        "tax_id": app.tax_id,
        "years_in_business": app.years_in_business,
        "website": app.website,
        "phone": app.phone,
        "mcc_code": app.mcc_code,
        "business_desc": app.business_desc,
        "when_card_charged": app.when_card_charged,
        "services_provided_in": app.services_provided_in,
        "refund_policy": app.refund_policy,
        "seasonal": app.seasonal,
        "seasonal_months": app.seasonal_months,
        "annual_volume": dollars_out(app.annual_volume),
        "average_ticket": dollars_out(app.average_ticket),
        "highest_ticket": dollars_out(app.highest_ticket),
        "in_person_pct": percent_out(app.in_person_pct),
        "online_pct": percent_out(app.online_pct),
        "telephone_pct": percent_out(app.telephone_pct),
        "ownership_type": app.ownership_type,
        "signer_first_name": app.signer_first_name,
        "signer_last_name": app.signer_last_name,
        "signer_email": app.signer_email,
        "signer_title": app.signer_title,
        "signer_phone": app.signer_phone,
        "signer_dob": app.signer_dob,
        "signer_address1": app.signer_address1,
        "signer_address2": app.signer_address2,
        "signer_city": app.signer_city,
        "signer_state": app.signer_state,
        "signer_zip": app.signer_zip,
        "signer_ownership_pct": percent_out(app.signer_ownership_pct),
        "addresses": list(app.addresses or []),
        "bank_account": _bank_out(app.bank_account),
        "application_template_id": app.application_template_id,
        "pricing": pricing_out(app.pricing),
        "fees": fees_out(app.fees),
        "products": app.products,
        "auto_send_for_signature": "Y" if app.auto_send else "N",
        "status_reason": app.status_reason,
        "created_at": as_utc(app.created_at).isoformat(),
        "updated_at": as_utc(app.updated_at).isoformat(),
    }


def template_out(template: Any) -> dict[str, Any]:
    return {
        "application_template_id": template.id,
        "partner_id": template.partner_id,
        "name": template.name,
        "pricing": pricing_out(template.pricing),
        "fees": fees_out(template.fees),
        "products": template.products,
        "created_at": as_utc(template.created_at).isoformat(),
    }
