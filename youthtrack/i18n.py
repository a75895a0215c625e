"""Reference data carries its labels in the three interface languages."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .personal_data import classify


class TranslatedNameMixin(models.Model):
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    personal_data = classify(not_personal=["name_fr", "name_nl", "name_en"])

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "fr")[:2]
        return getattr(self, f"name_{language}", None) or self.name_fr
