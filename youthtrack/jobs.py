"""What every background task shares: which errors are worth a retry, and how long
to wait before it.

A task retries only when trying again later may succeed: the database or the broker
was unreachable for a moment, the mail server said "try later" (an SMTP 4xx answer).
A programming error or bad data fails the same way every time: the task records the
reason where the person who asked sees it, and does not retry."""

import smtplib
import socket

from celery.utils.time import get_exponential_backoff_interval
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

__all__ = ["TRANSIENT_ERRORS", "TransientError", "backoff_seconds", "is_transient"]


class TransientError(Exception):
    """Raised by a service when its work may succeed if tried again later."""


# The errors a task's ``autoretry_for`` lists: only these are retried.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError,
    OperationalError,  # the database went away, a serialisation failure, a lock timeout
    InterfaceError,  # the connection was closed under us
    BrokerOperationalError,  # the broker (Redis) was unreachable while enqueuing
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    socket.timeout,
)

# Retries of a task: 5 attempts after the first, waiting about 10 s, 20 s, 40 s, 80 s
# and 160 s (with jitter), never more than 10 minutes, always far below the broker's
# visibility timeout (a retry is a message held by the worker until its countdown).
MAX_RETRIES = 5
BACKOFF_FACTOR = 10
BACKOFF_MAX = 600

RETRY_OPTIONS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": BACKOFF_FACTOR,
    "retry_backoff_max": BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}


def is_transient(error: BaseException) -> bool:
    """True when trying again later may succeed (a 4xx answer of the mail server
    is "try later"; a 5xx answer is final)."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    return isinstance(error, TRANSIENT_ERRORS)


def backoff_seconds(retries: int) -> int:
    """The wait before retry number ``retries + 1`` (exponential, with jitter)."""
    return get_exponential_backoff_interval(
        factor=BACKOFF_FACTOR, retries=retries, maximum=BACKOFF_MAX, full_jitter=True
    )
