from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shixiao.core"
    label = "core"
