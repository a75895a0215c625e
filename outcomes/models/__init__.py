"""Outcomes of participations (records, follow-ups, evidence) and the young person's
progress (distance travelled, goals); indicators and funder reports come later."""

from .progress import *  # noqa: F403
from .records import *  # noqa: F403
