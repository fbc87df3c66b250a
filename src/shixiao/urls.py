from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from shixiao.api.api import api

urlpatterns = [
    # Browsers ask for /favicon.ico on pages that link none (the admin, a raw file).
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
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
