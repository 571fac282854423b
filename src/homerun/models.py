"""Every table of Homerun: imports each domain's model module so that Base.metadata knows
them all (migrations' autogenerate and the schema-drift test compare against it).

It sits above the domain packages, beside app.py: kit/ only defines Base and stays
domain-free."""

from homerun.audit import models as audit_models
from homerun.auth import models as auth_models
from homerun.billing import models as billing_models
from homerun.boarding import models as boarding_models
from homerun.hpp import models as hpp_models
from homerun.idempotency import models as idempotency_models
from homerun.instance import models as instance_models
from homerun.keys import models as key_models
from homerun.kit.db.base import Base
from homerun.ledger import models as ledger_models
from homerun.merchants import models as merchant_models
from homerun.oauth import models as oauth_models
from homerun.outbox import models as outbox_models
from homerun.payments import models as payment_models
from homerun.people import models as people_models
from homerun.settlement import models as settlement_models
from homerun.tokenizer import models as tokenizer_models
from homerun.vault import models as vault_models
from homerun.webhooks import models as webhook_models
from homerun.worker import models as worker_models

__all__ = [
    "Base",
    "audit_models",
    "auth_models",
    "billing_models",
    "boarding_models",
    "hpp_models",
    "idempotency_models",
    "instance_models",
    "key_models",
    "ledger_models",
    "merchant_models",
    "oauth_models",
    "outbox_models",
    "payment_models",
    "people_models",
    "settlement_models",
    "tokenizer_models",
    "vault_models",
    "webhook_models",
    "worker_models",
]
