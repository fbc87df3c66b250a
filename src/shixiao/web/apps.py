from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shixiao.web"
    label = "web"
