"""Floating IPs: addresses of an operator's external network that a tenant allocates,
associates with a server and releases (models, request side, workflows, API and admin)."""
