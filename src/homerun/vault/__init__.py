"""vault: vault holders and their stored payment accounts (spec 4.8-4.11, 12.2; R8)."""
