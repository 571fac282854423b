"""Domain-free tools shared by every Homerun package."""
