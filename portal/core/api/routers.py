from rest_framework.routers import SimpleRouter


class PortalRouter(SimpleRouter):
    """API paths are written without a trailing slash (design/api.md); one is tolerated."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
