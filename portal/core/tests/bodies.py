"""Request bodies the upload tests share."""

import io


class CutOffBody(io.BytesIO):
    """A request body whose client's connection is reset after what it holds."""

    def read(self, size=-1):
        chunk = super().read(size)
        if not chunk:
            raise ConnectionResetError("connection reset by peer")
        return chunk
