"""Public reader site routes."""
from django.urls import path

from . import views

app_name = "digests"

urlpatterns = [
    path("", views.home, name="home"),
]
