from django.urls import path

from . import views

app_name = "deadlines"

urlpatterns = [
    path("", views.index, name="index"),
    path("committees/<int:pk>/rules/<slug:code>/", views.rule_edit, name="rule_edit"),
    path("committees/<int:pk>/rules/<slug:code>/reset/", views.rule_reset, name="rule_reset"),
    path("committees/<int:pk>/holidays/", views.holiday_add, name="holiday_add"),
    path("holidays/<int:pk>/remove/", views.holiday_remove, name="holiday_remove"),
    path("committees/<int:pk>/year/", views.committee_year, name="committee_year"),
    path("national/", views.national_year, name="national_year"),
]
