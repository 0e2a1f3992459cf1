"""Cloud disks (seed 004's CloudDiskService): a tenant's Cinder volumes as a resource of
their own, created alone or as a server's data disks, extended, renamed, attached to and
detached from servers (through Nova's volume attachments), deleted.

The table is the servers app's (`models.Volume`: servers create data disks). services.py
is the request side (checks, locks, quota, Tasks), workflows.py the cloud side run by
the jobs of portal/servers/tasks.py, mirror.py the volumes' part of the state sync;
api.py, admin.py, forms.py and filters.py are the API and the admin pages.
"""
