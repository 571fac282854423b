"""OAuth 2.0 client credentials (RFC 6749 §4.4) for the Reporting and Boarding APIs (ruling R10)."""
