"""Report jobs: a funder report asked for, built in the background, kept as produced."""

__all__: list[str] = []
