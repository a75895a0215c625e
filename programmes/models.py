from django.db import models
from django.utils.translation import gettext_lazy as _

from youthtrack.i18n import TranslatedNameMixin


class Programme(TranslatedNameMixin):
    """A programme young people follow (Touch'N'Go, Uppercut, Youth@CDM)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age at entry"), default=15)
    max_age = models.PositiveSmallIntegerField(_("maximum age at entry"), default=29)
    requires_actiris_registration = models.BooleanField(
        _("registration at Actiris required"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def accepts_age(self, age: int) -> bool:
        return self.min_age <= age <= self.max_age
