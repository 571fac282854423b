"""billing: billing plans on vaulted accounts, RFC 5545 schedules, the charging runner."""
