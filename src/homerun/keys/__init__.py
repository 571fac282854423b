"""keys: per-merchant data keys wrapped by the master key, and master-key rotation."""
