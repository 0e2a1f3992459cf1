"""ISO API views (the ISOs issue)."""
