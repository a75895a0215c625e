"""Request types for the type checker.

``HttpRequest.user`` is ``User | AnonymousUser``; behind ``@login_required`` it is
always a ``User``. Views so guarded (and the helpers they hand their request to)
annotate it as ``AuthenticatedHttpRequest``, the pattern django-stubs documents
("How can I create a HttpRequest that's guaranteed to have an authenticated user?").
It is only an annotation: at runtime the request is Django's own ``HttpRequest``.
"""

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
