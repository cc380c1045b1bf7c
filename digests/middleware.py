"""A clear 400 for a NUL character in the address: no page takes one, and PostgreSQL refuses it in a query."""
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return HttpResponseBadRequest(
                _("Bad request: the address contains a NUL character (%00), which no page here accepts. "
                  "Remove it and try again."), content_type="text/plain; charset=utf-8")
        return self.get_response(request)
