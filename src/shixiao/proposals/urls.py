from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_create, name="create"),
    path("unit/", views.unit_home, name="unit_home"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    # One URL per workflow step, each a POST to the matching service.
    *[path(f"<int:pk>/{segment}/", views.proposal_step, {"step": name}, name=name)
      for name, segment in views.STEP_PATHS.items()],
]
