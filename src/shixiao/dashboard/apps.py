from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "shixiao.dashboard"
    verbose_name = _("Leaders' dashboard")
