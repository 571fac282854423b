"""Wire shapes of the vault endpoints (spec 4.8-4.11, rulings R4, R8, R11).

Both custom-field spellings are accepted everywhere (`custom06` as Create Vault's docs
write it, `custom_06` as everything else does); answers use `custom_06`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from homerun.kit.wire import MID, CardExpiry, Flag, ShortText, WireModel

ACCOUNT_CUSTOM_FIELDS = tuple(f"custom_{n:02d}" for n in range(6, 11))
DETAIL_FIELDS = (
    "name",
    "nickname",
    "address1",
    "address2",
    "city",
    "region",
    "country",
    "account_zip",
    "email",
    "phone",
)


def _custom(n: int) -> Any:
    return Field(
        default=None,
        max_length=255,
        validation_alias=AliasChoices(f"custom_{n:02d}", f"custom{n:02d}"),
    )


class AccountFields(WireModel):
    """What a caller may set on a payment account (every field optional)."""

    name: ShortText | None = None
    nickname: ShortText | None = None
    address1: ShortText | None = None
    address2: ShortText | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    country: ShortText | None = None
    account_zip: Annotated[str, Field(max_length=16)] | None = None
    email: ShortText | None = None
    phone: ShortText | None = None
    custom_06: str | None = _custom(6)
    custom_07: str | None = _custom(7)
    custom_08: str | None = _custom(8)
    custom_09: str | None = _custom(9)
    custom_10: str | None = _custom(10)
    is_default: Flag | None = None
    cof_perm: Flag | None = None

    def details(self) -> dict[str, Any]:
        """The detail and custom fields the request sent (null included), by name."""
        names = (*DETAIL_FIELDS, *ACCOUNT_CUSTOM_FIELDS)
        return {name: getattr(self, name) for name in names if name in self.model_fields_set}


class CreateAccountRequest(AccountFields):
    """Create Vault Payment Account (spec 4.8)."""

    mid: MID
    account_token: Annotated[str, Field(min_length=1, max_length=64)]
    expiration: CardExpiry | None = None
    # Docs: "required if updating an existing vault": an account of the vault (holder)
    # the new account joins. Homerun also takes the holder's uuid directly.
    vault_id: Annotated[str, Field(max_length=64)] | None = None
    vault_holder_id: Annotated[str, Field(max_length=64)] | None = None


class UpdateAccountRequest(AccountFields):
    """Update Vault Account Details (spec 4.11); omitted fields are left as they are."""

    mid: MID | None = None
    ach_acct_type_id: (
        Annotated[
            str,
            Field(pattern="^[123]$", description='"1" checking, "2" savings, "3" ledger'),
        ]
        | None
    ) = None
    # Homerun extension: put a new card (e.g. a renewal) on the same account.
    account_token: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    expiration: CardExpiry | None = None


# ----- answers (documented for OpenAPI; built as dicts in answers.py) -----


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class CreateAccountAnswer(_Answer):
    uuid: str = Field(description="The payment account's uuid (time-ordered)")
    vault_id: int = Field(description="The payment account's integer id")
    vault_holder_id: str = Field(description="The vault holder (customer) uuid")
    mid: str
    name: str | None
    account_type: int = Field(description="1 credit, 2 debit, 3 checking, 4 savings")
    is_default: bool
    zipcode: str | None = Field(description="The billing ZIP (account_zip)")
    account_token: str
    last_four: str
    expiration: str | None = Field(description="YYYY-MM")


class AccountAnswer(_Answer):
    """Get Vault Payment Account (spec 4.9)."""

    id: int
    vaults_id: str = Field(description='Legacy form of the id, "vault_<id>"')
    uuid: str
    vault_holder_id: str
    mid: str
    account_token: str
    card_brand_id: str | None = Field(
        description='"1" Visa, "2" Mastercard, "3" Amex, "4" Discover; null for a bank account'
    )
    vault_account_type_id: str = Field(
        description='"1" credit, "2" debit, "3" checking, "4" savings'
    )
    name: str | None
    nickname: str | None
    last_four: str
    expiration: str | None = Field(description="YYYY-MM")
    is_deleted: str = Field(description='"0" active, "1" deleted')
    is_default: str = Field(description='"0" or "1"')
    updated: str = Field(description="ISO-8601 UTC")


class UpdateAccountAnswer(_Answer):
    vault_id: int | str = Field(description="The identifier as the path gave it")
    uuid: str
    is_default: str = Field(description='"Y" or "N"')
    ach_acct_type_id: str | None


class DeleteAccountAnswer(BaseModel):
    success: bool
    message: str
