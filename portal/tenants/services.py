"""TEMPORARY, for the integrator to delete: the tenants' operations moved to signup.py,
keys.py, quotas.py, provisioning.py (the worker side) and credentials.py. These names are
still imported from here by servers and isos, which this branch may not edit; switch them
to the modules named below, then remove this file."""

from portal.tenants.credentials import tenant_credentials
from portal.tenants.quotas import quota_of, update_quota
from portal.tenants.signup import register_tenant

__all__ = ["quota_of", "register_tenant", "tenant_credentials", "update_quota"]
