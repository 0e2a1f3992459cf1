"""The cloud side of cloud disks: the operations on one disk (operations.py, run by the
jobs of portal/servers/tasks.py with the tenant's own cloud user) and the disks' part
of the state sync (mirror.py, with the cloud's admin)."""
