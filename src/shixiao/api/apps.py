from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shixiao.api"
    label = "api"
