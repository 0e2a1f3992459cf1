"""Seed 004's paging: ?page_number=&page_size= (at most 100), the list under its plural key."""

from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from portal.core.errors import ValidationFailed


class PortalPagination(PageNumberPagination):
    page_query_param = "page_number"
    page_size_query_param = "page_size"
    page_size = 20
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        """One COUNT and one SELECT; a page past the end is empty (the count says why)."""
        self.request = request
        self.results_key = getattr(view, "results_key", "results")
        self.page_number = self._positive_int(request, self.page_query_param, default=1)
        self._positive_int(request, self.page_size_query_param, default=self.page_size)
        self.page_size_used = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, self.page_size_used)
        self.count = paginator.count
        if self.page_number > paginator.num_pages:
            return []
        return list(paginator.page(self.page_number))

    @staticmethod
    def _positive_int(request, name, default):
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationFailed(
                _("%(name)s must be a positive whole number.") % {"name": name},
                fields={name: [_("Must be a positive whole number.")]},
            )
        return int(raw)

    def get_paginated_response(self, data):
        return Response(
            {
                self.results_key: data,
                "count": self.count,
                "page_number": self.page_number,
                "page_size": self.page_size_used,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "properties": {
                "count": {"type": "integer"},
                "page_number": {"type": "integer"},
                "page_size": {"type": "integer"},
                "<plural>": schema,
            },
        }
