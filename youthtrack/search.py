"""Searches by name without the name in the address.

A name typed in a search box is posted, kept in the user's session under a short
random token, and the list is then shown at an address carrying only the token
(``?search=…``): the name never reaches an address, so it stays out of the browser's
history, of the ``Referer`` sent to other pages and of every request log on the way
(the application's, the WSGI server's, a proxy's). Pagination, sorting and exports
carry the token like any other parameter.

A ``q`` parameter typed into the address by hand still works, but nothing the
application generates carries one.
"""

import secrets

from django.contrib.sessions.backends.base import SessionBase
from django.http import QueryDict

SESSION_KEY = "youthtrack_searches"
TOKEN_PARAMETER = "search"
# The searches a session keeps (the newest): older tokens are forgotten.
KEPT = 20
# Longer texts are cut here before they are kept: the list's own check then refuses
# them (its maximum is far below), and the session stays small.
LONGEST_KEPT = 1000


def remember(session: SessionBase, text: str) -> str:
    """Keep a search text in the session; the token to find it again."""
    token = secrets.token_urlsafe(6)
    searches = dict(session.get(SESSION_KEY) or {})
    searches[token] = text[:LONGEST_KEPT]
    while len(searches) > KEPT:
        searches.pop(next(iter(searches)))
    session[SESSION_KEY] = searches
    return token


def recall(session: SessionBase, token: str) -> str | None:
    searches = session.get(SESSION_KEY) or {}
    text = searches.get(token) if isinstance(searches, dict) else None
    return text if isinstance(text, str) else None


def query_for_posted_search(
    session: SessionBase, posted: QueryDict, field: str = "q"
) -> QueryDict:
    """The parameters of a posted search form as the list's address takes them: the
    text replaced by its token, the form's token (CSRF) left out."""
    params = posted.copy()
    params.pop("csrfmiddlewaretoken", None)
    params.pop(TOKEN_PARAMETER, None)
    text = params.pop(field, [""])[-1]
    if text.strip():
        params[TOKEN_PARAMETER] = remember(session, text)
    return params


def params_with_search(
    session: SessionBase, params: QueryDict, field: str = "q"
) -> tuple[QueryDict, bool]:
    """The list's parameters with the search text the token stands for, for its
    filter; and whether a token was given that the session no longer knows."""
    token = params.get(TOKEN_PARAMETER)
    if not token:
        return params, False
    text = recall(session, token)
    resolved = params.copy()
    resolved.pop(TOKEN_PARAMETER, None)
    if text is None:
        return resolved, True
    resolved[field] = text
    return resolved, False
