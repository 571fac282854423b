"""The Boarding API: partners, rep codes, merchant applications and their lifecycle."""
