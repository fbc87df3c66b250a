from django.urls import include, path

from shixiao.api.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("proposals/", include("shixiao.proposals.urls")),
    path("reports/", include("shixiao.reports.urls")),
    path("deadlines/", include("shixiao.deadlines.urls")),
    path("sheets/", include("shixiao.sheets.urls")),
    path("ledger/", include("shixiao.ledger.urls")),
    path("dossier/", include("shixiao.dossier.urls")),
    path("dashboard/", include("shixiao.dashboard.urls")),
    path("me/", include("shixiao.mypages.urls")),
    path("", include("shixiao.web.urls")),
]
