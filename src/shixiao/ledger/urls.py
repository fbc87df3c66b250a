from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("new/", views.entry_create, name="entry_create"),
    path("<int:pk>/correct/", views.entry_correct, name="entry_correct"),
    path("<int:pk>/void/", views.entry_void, name="entry_void"),
]
