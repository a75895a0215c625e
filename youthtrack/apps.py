from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YouthtrackConfig(AppConfig):
    name = "youthtrack"
    verbose_name = _("Case files")
