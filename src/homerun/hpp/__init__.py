"""hpp: hosted payment pages (POST/PUT /api/v1/hpp, GET/POST /payment)."""
