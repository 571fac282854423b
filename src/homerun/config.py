"""Every setting Homerun reads, in one place (env prefix HOMERUN_)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Mode(StrEnum):
    SANDBOX = "sandbox"
    LIVE = "live"


class LogFormat(StrEnum):
    JSON = "json"  # one JSON object per line, for a log collector
    CONSOLE = "console"  # aligned key=value lines, for a person at a terminal


# Postal-code prefixes where card surcharges are not allowed by default:
# Connecticut (060-069), Massachusetts (010-027), Maine (039-049), Puerto Rico (006-009).
DEFAULT_SURCHARGE_RESTRICTED = (
    [f"{n:03d}" for n in range(60, 70)]
    + [f"{n:03d}" for n in range(10, 28)]
    + [f"{n:03d}" for n in range(39, 50)]
    + [f"{n:03d}" for n in range(6, 10)]
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOMERUN_", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///homerun.db",
        description="SQLAlchemy URL; postgresql://... selects PostgreSQL (asyncpg).",
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_transaction_pooler: bool = Field(
        default=False,
        description="PostgreSQL is reached through a pooler in transaction mode (PgBouncer): "
        "no prepared statement outlives its transaction.",
    )
    mode: Mode = Mode.SANDBOX
    admin_token: SecretStr | None = Field(
        default=None, description="Bearer token for /homerun/v1; generated at first start if unset."
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key for the keyed hashes of secrets; generated and stored if unset.",
    )
    master_key: SecretStr | None = Field(
        default=None,
        description="Base64 32-byte key that wraps card-data keys; generated and stored if unset.",
    )
    previous_master_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated earlier master keys: they unwrap data keys (never wrap) "
        "until `homerun keys rotate` has re-wrapped every data key under master_key.",
    )
    public_base_url: str = "http://127.0.0.1:8000"
    api_key_ttl_seconds: int = Field(default=3600, ge=1)
    refresh_token_ttl_seconds: int = Field(default=30 * 86400, ge=1)
    rotation_grace_seconds: int = Field(default=60, ge=0)
    authorization_ttl_days: int = Field(default=7, ge=1)
    idempotency_ttl_seconds: int = Field(default=86400, ge=60)
    idempotency_abandoned_seconds: int = Field(default=60, ge=1)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    surcharge_max_bps: int = Field(default=300, ge=0, le=10_000)
    surcharge_restricted_postal_prefixes: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SURCHARGE_RESTRICTED)
    )
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)
    # Failing cleanly (docs/operations.md#failing-cleanly).
    database_statement_timeout_ms: int = Field(
        default=15_000,
        ge=0,
        description="PostgreSQL: a statement running longer is cancelled (503); 0: no limit.",
    )
    database_lock_timeout_ms: int = Field(
        default=5_000,
        ge=0,
        description="PostgreSQL: a statement waiting longer for a lock is cancelled (503); "
        "0: no limit.",
    )
    database_pool_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="How long a unit of work waits for a pooled connection before a 503.",
    )
    retry_after_seconds: int = Field(
        default=1, ge=0, le=3600, description="Retry-After sent with every 503."
    )
    max_in_flight: int = Field(
        default=32,
        ge=0,
        le=100_000,
        description="Requests one server process works on at once; 0: no admission control.",
    )
    max_queued: int = Field(
        default=128,
        ge=0,
        le=100_000,
        description="Requests that may wait for a turn; one more is refused at once (503).",
    )
    queue_deadline_ms: int = Field(
        default=500,
        ge=1,
        le=600_000,
        description="How long a request may wait for a turn before it is refused (503).",
    )
    shutdown_grace_seconds: int = Field(
        default=30,
        ge=0,
        le=3600,
        description="On SIGTERM: how long `serve` lets in-flight requests finish, then its "
        "worker's jobs, before it cuts them.",
    )
    # The worker and the clock (docs/settlement.md).
    worker_in_server: bool = Field(
        default=True, description="Run the job worker inside `homerun serve`."
    )
    worker_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    worker_lease_seconds: int = Field(default=300, ge=5)
    job_max_attempts: int = Field(default=8, ge=1, le=100)
    clock_sync_seconds: float = Field(
        default=1.0, ge=0, description="How often a process re-reads the sandbox clock; 0: never."
    )
    verify_interval_seconds: int = Field(
        default=0,
        ge=0,
        description="Run `homerun verify` from the worker every this many seconds; 0: never.",
    )
    # Settlement (docs/settlement.md).
    funding_time: str = Field(
        default="13:00",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="Merchant-local time at which deposits are made on business days.",
    )
    chargeback_response_days: int = Field(default=30, ge=1, le=365)
    # Retention (docs/operations.md#retention).
    retention_days: int = Field(
        default=30,
        ge=0,
        description="Age after which webhook delivery logs, fanned-out outbox events and "
        "failed jobs are purged; 0 keeps them for ever.",
    )
    retention_batch_size: int = Field(default=500, ge=1, le=100_000)
    retention_interval_seconds: float = Field(default=300.0, gt=0)
    # Webhooks (docs/webhooks.md).
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_concurrency: int = Field(default=128, ge=1, le=2048)
    webhook_endpoint_concurrency: int = Field(default=16, ge=1, le=1024)
    webhook_poll_seconds: float = Field(default=0.2, gt=0, le=60)
    webhook_lease_seconds: int = Field(default=60, ge=5)
    webhook_max_response_bytes: int = Field(default=4096, ge=0, le=1024 * 1024)
    webhook_allow_loopback: bool | None = Field(
        default=None, description="Post to loopback addresses; unset: in sandbox mode only."
    )
    webhook_allow_private: bool = False
    webhook_secret_overlap_seconds: int = Field(default=86400, ge=0, le=30 * 86400)
    # The NACHA files of ACH batches (docs/ach.md, "The NACHA file").
    ach_odfi_routing_number: str = Field(
        default="036001808",
        pattern=r"^[0-9]{9}$",
        description="The originating bank's routing number: the files' immediate destination "
        "and every batch's ODFI.",
    )
    ach_odfi_name: str = Field(
        default="Homerun Sandbox Bank", max_length=23, description="The originating bank's name."
    )
    # Billing plans (docs/vault-and-billing.md).
    billing_retry_days: list[int] = Field(
        default_factory=lambda: [1, 3, 7],
        description="Dunning: days after a scheduled payment's date at which a declined "
        "payment is tried again; after the last one it is FAILED.",
    )
    billing_horizon_days: int = Field(
        default=3660,
        ge=1,
        le=36600,
        description="A billing plan's bounded rule must end within this many days of its "
        "DTSTART; an open-ended rule must start within this many days of now.",
    )
    billing_window_payments: int = Field(
        default=12,
        ge=1,
        le=1000,
        description="An open-ended plan keeps at most this many open payments as rows.",
    )
    billing_window_days: int = Field(
        default=400,
        ge=1,
        le=36600,
        description="An open-ended plan's rows reach at most this many days ahead (its next "
        "payment is always a row).",
    )
    billing_job_buckets: int = Field(
        default=16,
        ge=1,
        le=1024,
        description="Scheduled payments are spread over this many worker jobs (parallelism).",
    )
    billing_batch_size: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="Scheduled payments one worker charges per database transaction.",
    )
    # The dashboard's sign-in (docs/dashboard.md).
    dashboard_session_idle_seconds: int = Field(
        default=1800, ge=60, description="A dashboard session ends after this long unused."
    )
    dashboard_session_absolute_seconds: int = Field(
        default=43200, ge=300, description="A dashboard session ends this long after sign-in."
    )
    dashboard_lockout_after: int = Field(
        default=5, ge=1, le=100, description="Failed sign-ins in a row that lock an account."
    )
    dashboard_lockout_base_seconds: int = Field(
        default=30, ge=1, description="The first lock-out; each further failure doubles it."
    )
    dashboard_lockout_max_seconds: int = Field(default=3600, ge=1)
    dashboard_link_ttl_seconds: int = Field(
        default=3 * 86400, ge=300, description="How long an invitation or reset link works."
    )
    log_level: str = "info"
    # What an operator sees (docs/operations.md).
    log_format: LogFormat = Field(
        default=LogFormat.JSON, description="Log lines as `json` objects or `console` text."
    )
    request_log: bool = Field(default=True, description="Write one log line per request.")
    ready_max_job_lag_seconds: float = Field(
        default=300,
        ge=0,
        description="GET /homerun/v1/ready answers 503 when a due job has waited longer "
        "than this for a worker; 0: not checked.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token a scraper of /metrics must send; unset: loopback clients only.",
    )

    @field_validator("ach_odfi_routing_number")
    @classmethod
    def _odfi_routing(cls, value: str) -> str:
        # The ABA check digit (weights 3, 7, 1): a bank file names no bank that cannot be.
        if sum(int(d) * w for d, w in zip(value, (3, 7, 1) * 3, strict=True)) % 10:
            raise ValueError("must pass the ABA routing-number checksum")
        return value

    @field_validator("billing_retry_days")
    @classmethod
    def _retry_days(cls, value: list[int]) -> list[int]:
        if len(value) > 20 or any(not 1 <= day <= 366 for day in value):
            raise ValueError("at most 20 retries, each 1 to 366 days after the payment date")
        if value != sorted(set(value)):
            raise ValueError("retry days must increase")
        return value

    @property
    def async_database_url(self) -> str:
        """The URL with an async driver, whatever form the operator wrote."""
        url = self.database_url
        for plain, driver in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url
