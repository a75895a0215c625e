from django.utils.cache import add_never_cache_headers

from .audit import client_address


class NoStoreMiddleware:
    """Pages seen by a signed-in user show personal data: never keep them in a cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) and request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private"
        return response


class AuditContextMiddleware:
    """Makes the client's address known to the audit trail for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
