from django.urls import path

from . import views

app_name = "mypages"

urlpatterns = [
    path("", views.home, name="home"),
    path("record/", views.record_page, name="record"),
    path("score/", views.score_page, name="score"),
    path("work/", views.work, name="work"),
]
