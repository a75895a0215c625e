from django import template
from django.apps import apps

register = template.Library()


@register.filter
def record_label(object_type: str) -> str:
    """'youthtrack.casefile' → 'case file', in the reader's language."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
