"""Domain events (the outbox) and, later, their delivery as webhooks."""
