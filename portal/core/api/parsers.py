from rest_framework.parsers import BaseParser


class RawBodyParser(BaseParser):
    """Accepts a body of `media_type` without reading it: the view streams it itself."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}
