"""Drivers that let real Nova and Neutron run without hypervisor, OVS or agents (tests only).

- ml2.AlwaysBindMechanismDriver: ML2 mechanism driver 'portal_always_bind'.
- nova_fake.PortalFakeDriver: Nova compute driver, loaded through the shim module
  nova/virt/portal_oslite_fake.py that `up` writes (compute_driver =
  portal_oslite_fake.PortalFakeDriver).
"""
