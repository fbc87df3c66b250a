from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/submit/", views.report_step, {"step": "submit"}, name="submit"),
    path("<int:pk>/start-editing/", views.report_step, {"step": "start_editing"},
         name="start_editing"),
    path("<int:pk>/edited-text/", views.report_step, {"step": "edit_text"}, name="edit_text"),
    path("<int:pk>/sendings/", views.report_step, {"step": "send"}, name="send"),
    path("<int:pk>/adoptions/", views.report_step, {"step": "adopt"}, name="adopt"),
    path("<int:pk>/endorsements/", views.report_step, {"step": "endorse"}, name="endorse"),
    path("<int:pk>/not-used/", views.report_step, {"step": "not_used"}, name="not_used"),
    path("<int:pk>/archive/", views.report_step, {"step": "archive"}, name="archive"),
]
