"""What an operator sees of a running Homerun: request logs, metrics, readiness.

Domain-free like kit (contract observability-domain-free in pyproject.toml), so any
package may record its own counters here with one call; only the adapters (routes.py)
read the domains' tables, through their owners' repositories.
"""
