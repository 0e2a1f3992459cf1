"""Factories for ISO tests (the ISOs issue)."""
