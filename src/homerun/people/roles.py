"""Who may do what in the dashboard: ONE table, action -> the roles that may take it.

Every page and every form of the dashboard names its action; `may(role, action)` is the
only check. A user also only ever sees their own tenant's rows (a merchant's users their
merchant's, a partner's users their partner's): the pages ask the repositories with the
user's own merchant id, so another tenant's row is simply not found (404).
"""

from __future__ import annotations

from enum import StrEnum


class Tenant(StrEnum):
    """What a user belongs to."""

    MERCHANT = "merchant"
    PARTNER = "partner"
    INSTANCE = "instance"  # the operators of this Homerun


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    DEVELOPER = "developer"  # credentials, webhooks
    SUPPORT = "support"  # refunds, voids
    VIEWER = "viewer"  # view-only
    PARTNER_ADMIN = "partner_admin"
    PARTNER_VIEWER = "partner_viewer"
    OPERATOR = "operator"


TENANT_OF: dict[Role, Tenant] = {
    Role.OWNER: Tenant.MERCHANT,
    Role.ADMIN: Tenant.MERCHANT,
    Role.DEVELOPER: Tenant.MERCHANT,
    Role.SUPPORT: Tenant.MERCHANT,
    Role.VIEWER: Tenant.MERCHANT,
    Role.PARTNER_ADMIN: Tenant.PARTNER,
    Role.PARTNER_VIEWER: Tenant.PARTNER,
    Role.OPERATOR: Tenant.INSTANCE,
}


class Action(StrEnum):
    VIEW_PAYMENTS = "view_payments"  # home's figures, the payments list, a payment's page
    REFUND = "refund"  # refund or void a payment
    CHARGE = "charge"  # the virtual terminal: key in a card, or charge a saved account
    VIEW_DEPOSITS = "view_deposits"  # the deposits list and a deposit's page
    VIEW_AUDIT = "view_audit"  # the audit log (a merchant's, or the instance's)
    MANAGE_USERS = "manage_users"  # invite, set roles, disable
    MANAGE_CREDENTIALS = "manage_credentials"  # API keys: create, roll, revoke
    MANAGE_WEBHOOKS = "manage_webhooks"
    VIEW_BOARDING = "view_boarding"  # a partner's applications and merchants
    MANAGE_BOARDING = "manage_boarding"
    VIEW_INSTANCE = "view_instance"  # merchants and partners across the instance
    MOVE_CLOCK = "move_clock"  # advance the sandbox clock
    OPEN_CHARGEBACK = "open_chargeback"  # on any merchant's settled sale
    RETURN_ACH = "return_ach"  # the payer's bank returns an ACH payment (an R-code)
    VIEW_CHARGEBACKS = "view_chargebacks"  # the chargebacks list and a chargeback's page
    RESPOND_CHARGEBACK = "respond_chargeback"  # accept or challenge one
    VIEW_CUSTOMERS = "view_customers"  # vault holders, their accounts and billing plans
    MANAGE_BILLING = "manage_billing"  # create or cancel a billing plan
    VIEW_PAYMENT_LINKS = "view_payment_links"  # the merchant's hosted payment pages
    MANAGE_PAYMENT_LINKS = "manage_payment_links"  # create, edit, disable, enable them
    SET_FAULTS = "set_faults"  # the sandbox simulator's faults for the merchant


R = Role
MERCHANT_STAFF = frozenset({R.OWNER, R.ADMIN, R.DEVELOPER, R.SUPPORT, R.VIEWER})

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW_PAYMENTS: MERCHANT_STAFF,
    Action.REFUND: frozenset({R.OWNER, R.ADMIN, R.SUPPORT}),
    Action.CHARGE: frozenset({R.OWNER, R.ADMIN, R.SUPPORT}),
    Action.VIEW_DEPOSITS: frozenset({R.OWNER, R.ADMIN, R.VIEWER}),
    Action.VIEW_AUDIT: frozenset({R.OWNER, R.OPERATOR}),
    Action.MANAGE_USERS: frozenset({R.OWNER, R.ADMIN, R.PARTNER_ADMIN, R.OPERATOR}),
    Action.MANAGE_CREDENTIALS: frozenset({R.OWNER, R.ADMIN, R.DEVELOPER}),
    Action.MANAGE_WEBHOOKS: frozenset({R.OWNER, R.ADMIN, R.DEVELOPER}),
    Action.VIEW_BOARDING: frozenset({R.PARTNER_ADMIN, R.PARTNER_VIEWER, R.OPERATOR}),
    Action.MANAGE_BOARDING: frozenset({R.PARTNER_ADMIN, R.OPERATOR}),
    Action.VIEW_INSTANCE: frozenset({R.OPERATOR}),
    Action.MOVE_CLOCK: frozenset({R.OPERATOR}),
    Action.OPEN_CHARGEBACK: frozenset({R.OPERATOR}),
    Action.RETURN_ACH: frozenset({R.OPERATOR}),
    Action.VIEW_CHARGEBACKS: frozenset({R.OWNER, R.ADMIN, R.SUPPORT, R.VIEWER}),
    Action.RESPOND_CHARGEBACK: frozenset({R.OWNER, R.ADMIN, R.SUPPORT}),
    Action.VIEW_CUSTOMERS: MERCHANT_STAFF,
    Action.MANAGE_BILLING: frozenset({R.OWNER, R.ADMIN, R.SUPPORT}),
    Action.VIEW_PAYMENT_LINKS: MERCHANT_STAFF,
    # A developer's API key can already make and change pages (POST /api/v1/hpp).
    Action.MANAGE_PAYMENT_LINKS: frozenset({R.OWNER, R.ADMIN, R.DEVELOPER}),
    # Who manages the credentials that meet the faults.
    Action.SET_FAULTS: frozenset({R.OWNER, R.ADMIN, R.DEVELOPER}),
}


def may(role: Role, action: Action) -> bool:
    return role in ALLOWED[action]


ROLE_NAMES: dict[Role, str] = {
    Role.OWNER: "Owner",
    Role.ADMIN: "Admin",
    Role.DEVELOPER: "Developer",
    Role.SUPPORT: "Support",
    Role.VIEWER: "View only",
    Role.PARTNER_ADMIN: "Partner admin",
    Role.PARTNER_VIEWER: "Partner viewer",
    Role.OPERATOR: "Operator",
}
