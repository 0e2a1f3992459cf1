"""A server's CD drive: an ISO of the ISOs app's catalogue mounted on a server.

services.py is the request side (checks, the server's lock, Tasks), workflows.py the
cloud side run by the jobs of portal/servers/tasks.py; api.py, admin.py and forms.py are
the API and the admin pages. The mounts are `models.IsoMount`.
"""
