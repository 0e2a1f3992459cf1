import io

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from portal.core.errors import PayloadTooLarge


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with Django's limit on bodies read into memory
    (DATA_UPLOAD_MAX_MEMORY_SIZE: past it, 413) and a body nested deeper than Python's
    json can follow refused as malformed (400) rather than a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is not None and limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise PayloadTooLarge()
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError() from None  # DRF's "Malformed request."


class RawBodyParser(parsers.BaseParser):
    """Accepts a body of `media_type` without reading it: the view streams it itself."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}
