"""The boarding operations the HTTP layer calls, gathered from the modules that own them:
partners.py (partners, rep codes, clients, templates), applications.py, lifecycle.py (actions
and the sandbox clock), credentials.py, paging.py (lists and their `q` fields) and mcc.py.
"""

from homerun.boarding.applications import (
    application_events,
    application_page,
    create_application,
    get_application,
)
from homerun.boarding.credentials import hand_over_credentials, issue_credentials
from homerun.boarding.lifecycle import act
from homerun.boarding.mcc import mcc_page
from homerun.boarding.paging import MCC_FIELDS, MERCHANT_FIELDS, REP_CODE_FIELDS, listing
from homerun.boarding.partners import (
    add_rep_code,
    attach_client,
    client_scope,
    create_partner,
    create_partner_client,
    create_template,
    get_partner,
    list_partners,
    partner_clients,
    partner_rep_codes,
    partner_templates,
    rep_code_page,
    update_partner,
)

__all__ = [
    "MCC_FIELDS",
    "MERCHANT_FIELDS",
    "REP_CODE_FIELDS",
    "act",
    "add_rep_code",
    "application_events",
    "application_page",
    "attach_client",
    "client_scope",
    "create_application",
    "create_partner",
    "create_partner_client",
    "create_template",
    "get_application",
    "get_partner",
    "hand_over_credentials",
    "issue_credentials",
    "list_partners",
    "listing",
    "mcc_page",
    "partner_clients",
    "partner_rep_codes",
    "partner_templates",
    "rep_code_page",
    "update_partner",
]
