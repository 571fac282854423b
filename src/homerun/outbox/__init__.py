"""The outbox: domain events written with the change they describe (docs/webhooks.md)."""
