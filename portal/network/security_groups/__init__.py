"""Security groups and their rules (seed 004's SecurityGroupService).

models.py holds the mirrors (written by the network pull and by this feature's jobs);
rules.py checks a requested rule set; services.py is the request side (checks, quota,
the group's one-operation-at-a-time status, Tasks); workflows.py the cloud side run by
the jobs of portal/network/tasks.py; server_use.py is how this app, which sits below the
servers app, learns which servers use a group; api.py, admin.py and forms.py are the API
and the admin pages.
"""
