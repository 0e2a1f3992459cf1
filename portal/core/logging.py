"""The request id travels in a context variable so every log line can carry it, and in
a header of every Celery job queued while it is set, so the worker's lines carry it too."""

import contextvars
import logging

current_request_id = contextvars.ContextVar("request_id", default="-")

# The Celery message header carrying the id of the request that queued a job.
JOB_HEADER = "portal_request_id"
# task id -> the token restoring the worker's context once that job ends.
_job_tokens: dict[str, contextvars.Token] = {}


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


def attach_request_id(headers=None, **kwargs):
    """before_task_publish: put the current request id in the job's headers."""
    request_id = current_request_id.get()
    if headers is not None and request_id != "-":
        headers.setdefault(JOB_HEADER, request_id)


def adopt_request_id(task_id=None, task=None, **kwargs):
    """task_prerun: the job runs under the id of the request that queued it. (An eager
    run in the request's own thread has no header and keeps the request's id.)"""
    request_id = getattr(task.request, JOB_HEADER, None) if task is not None else None
    if request_id:
        _job_tokens[task_id] = current_request_id.set(str(request_id)[:64])


def drop_request_id(task_id=None, **kwargs):
    """task_postrun: back to no request id for whatever the worker does next."""
    token = _job_tokens.pop(task_id, None)
    if token is not None:
        current_request_id.reset(token)


def connect_job_signals():
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(attach_request_id, dispatch_uid="portal-request-id-publish")
    task_prerun.connect(adopt_request_id, dispatch_uid="portal-request-id-prerun")
    task_postrun.connect(drop_request_id, dispatch_uid="portal-request-id-postrun")
