from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheetsConfig(AppConfig):
    name = "shixiao.sheets"
    verbose_name = _("Excel import and export")
