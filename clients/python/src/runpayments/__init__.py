"""runpayments: a typed client for the Run Payments API (and Homerun)."""

__version__ = "0.1.0"

from . import webhooks
from ._auth import ClientCredentials
from .async_client import AsyncRunClient
from .client import RunClient
from .credentials import ApiCredentials, CredentialStore, FileStore, MemoryStore
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    CredentialsError,
    IdempotencyError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RunPaymentsError,
    ServerError,
)
from .models import *  # noqa: F403
from .models import __all__ as _models
from .query import Q
from .retries import RetryPolicy

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "ApiCredentials",
    "AsyncRunClient",
    "AuthenticationError",
    "ClientCredentials",
    "ConflictError",
    "CredentialStore",
    "CredentialsError",
    "FileStore",
    "IdempotencyError",
    "InvalidRequestError",
    "MemoryStore",
    "NotFoundError",
    "PermissionDeniedError",
    "Q",
    "RateLimitError",
    "RetryPolicy",
    "RunClient",
    "RunPaymentsError",
    "ServerError",
    "webhooks",
    *_models,
]
