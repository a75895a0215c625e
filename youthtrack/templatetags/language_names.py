from django import template

from ..language_names import in_language

register = template.Library()


@register.filter
def languages_for_reader(text: str) -> str:
    """Known language names in the interface's language; the rest as typed."""
    return in_language(text or "")
