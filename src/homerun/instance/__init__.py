"""Instance-wide state: generated secrets, the admin token hash, the sandbox clock."""
