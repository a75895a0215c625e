"""Outcomes of participations (records, follow-ups, evidence), the young person's
progress (distance travelled, goals), report jobs and imports of past records."""

from .imports import *  # noqa: F403
from .progress import *  # noqa: F403
from .records import *  # noqa: F403
from .reports import *  # noqa: F403
