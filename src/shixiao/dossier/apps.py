from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    name = "shixiao.dossier"
    verbose_name = _("Duty reports and published assessments")
