"""Background work. Tasks are thin: ids in, one service call, safe to run twice."""

import os
import socket

from celery import shared_task


@shared_task(name="youthtrack.ping")
def ping() -> dict:
    """Tells which process ran it: used to check that a real worker answers."""
    return {"pid": os.getpid(), "host": socket.gethostname()}
