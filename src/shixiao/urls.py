from django.urls import include, path

from shixiao.api.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("shixiao.web.urls")),
]
