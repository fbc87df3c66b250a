from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MypagesConfig(AppConfig):
    name = "shixiao.mypages"
    verbose_name = _("My duty record")
