"""The cloud side of the servers app, run by the Celery jobs in tasks.py with a driver
they opened (the tenant's own user; the cloud's admin for administrators' operations and
the pulls).

Each flow writes its steps on the Task with their progress, records what the cloud
returns as soon as it returns it (so a redelivered job carries on instead of repeating),
and on failure undoes what it did, gives the quota back and unlocks the server before
the error fails the Task.
"""
