from django.urls import path

from . import views

app_name = "dossier"

urlpatterns = [
    path("", views.index, name="index"),
    path("committees/<int:committee_pk>/<int:year>/publish/", views.publish, name="publish"),
    path("publications/<int:pk>/", views.publication_detail, name="publication"),
    path("members/<int:membership_pk>/<int:year>.docx", views.member_report,
         name="member_report"),
    path("committee/<int:committee_pk>/<int:year>.docx", views.committee_summary,
         name="committee_summary"),
]
