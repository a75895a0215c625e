"""Pages of long lists that cost the same whatever the size of the table.

A list counts its rows over a ``LIMIT`` subquery (exact up to ``COUNT_LIMIT``, "more
than" beyond) and serves the pages within its first ``COUNT_LIMIT`` rows only, so the
database never counts, nor skips with ``OFFSET``, more than about that many rows. Past
them, the user narrows the search (the page says so).

A list whose rows come from several sources joined by ``OR`` (the case files of the
user's organisation, or shared with it, …) can name them as ``parts``: on PostgreSQL
(SQLite cannot order and limit each member of a ``UNION``), each part is then
read in the list's order from its own index and stopped at the page's last row, and
the page is taken from their union. One ``OR`` over the whole table would make the
database read every row and test both conditions on each.
"""

from collections.abc import Sequence
from functools import cached_property

from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, F, Func, QuerySet

COUNT_LIMIT = 1000


def key_in_array(keys: QuerySet) -> Func:
    """``pk = ANY(ARRAY(keys))`` (PostgreSQL): the keys are read once, before the rows,
    instead of being planned as one more relation to join (``pk IN (keys)`` took
    twice as long to plan as the page took to read)."""
    return Func(
        F("pk"),
        ArraySubquery(keys),
        template="%(expressions)s)",
        arg_joiner=" = ANY(",
        output_field=BooleanField(),
    )


class BoundedPaginator(Paginator):
    """A ``Paginator`` over an ordered queryset that counts at most ``COUNT_LIMIT + 1``
    rows and pages through the first ``COUNT_LIMIT`` of them.

    ``count`` is the exact number of rows when ``count_is_exact``, otherwise
    ``COUNT_LIMIT + 1``, read as "more than ``COUNT_LIMIT``".

    ``parts``: querysets of the same model, each the list's rows of one source in the
    list's order, which together hold every row of the list (and no other);
    ``rows_by_key``: the queryset a page's rows are then read from by their keys, in
    the list's order (by default the list itself; one without the list's conditions,
    which the parts have already applied, is quicker to plan)."""

    count_limit = COUNT_LIMIT
    object_list: QuerySet

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        parts: Sequence[QuerySet] = (),
        rows_by_key: QuerySet | None = None,
    ):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        postgresql = connections[object_list.db].vendor == "postgresql"
        self.parts = list(parts) if postgresql else []
        self.rows_by_key = object_list if rows_by_key is None else rows_by_key

    def _first_keys(self, rows: int, *, ordered: bool) -> QuerySet:
        """The keys of the first ``rows`` rows of each part, united."""
        keys = [
            (part if ordered else part.order_by()).values("pk")[:rows]
            for part in self.parts
        ]
        return keys[0].union(*keys[1:])

    @cached_property
    def count(self) -> int:
        if self.parts:
            return min(
                self._first_keys(self.count_limit + 1, ordered=False).count(),
                self.count_limit + 1,
            )
        # No ordering, only the key: the database stops after COUNT_LIMIT + 1 rows of
        # whichever plan is cheapest, without sorting them or reading the joined rows.
        return self.object_list.order_by().values("pk")[: self.count_limit + 1].count()

    @property
    def count_is_exact(self) -> bool:
        return self.count <= self.count_limit

    @property
    def listed_count(self) -> int:
        """The rows the pages show: all of them, or the first ``COUNT_LIMIT``."""
        return min(self.count, self.count_limit)

    def page(self, number):
        """The rows of that page, never past the first ``COUNT_LIMIT``."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.listed_count:
            top = self.listed_count
        rows = self.object_list
        if self.parts:
            # The page is among the first ``top`` rows of one part or another.
            rows = self.rows_by_key.filter(
                key_in_array(self._first_keys(top, ordered=True))
            )
        return self._get_page(rows[bottom:top], number, self)

    @cached_property
    def num_pages(self) -> int:
        """The pages within the first ``COUNT_LIMIT`` rows."""
        listed = self.listed_count
        if listed == 0 and not self.allow_empty_first_page:
            return 0
        hits = max(1, listed - self.orphans)
        return -(-hits // self.per_page)
