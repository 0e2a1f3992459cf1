"""ISO API serializers (the ISOs issue)."""
