"""The request id travels in a context variable so every log line can carry it."""

import contextvars
import logging

current_request_id = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id.get()
        return True
