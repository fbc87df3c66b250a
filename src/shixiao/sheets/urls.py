from django.urls import path

from . import views

app_name = "sheets"

urlpatterns = [
    path("", views.index, name="index"),
    path("templates/<slug:kind>.xlsx", views.template_download, name="template"),
    path("import/<slug:kind>/", views.upload, name="upload"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/commit/", views.batch_commit, name="commit"),
    path("batches/<int:pk>/discard/", views.batch_discard, name="discard"),
    path("export/<slug:kind>.xlsx", views.export, name="export"),
]
