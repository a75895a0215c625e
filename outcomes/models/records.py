"""What happened to a young person: outcome records, follow-ups, evidence."""

__all__: list[str] = []
