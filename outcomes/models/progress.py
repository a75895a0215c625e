"""The young person's progress: distance travelled and goals."""

__all__: list[str] = []
