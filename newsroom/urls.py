"""URL routes: the admin, markdownx's preview endpoint and the public site."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("markdownx/", include("markdownx.urls")),
    path("_nested_admin/", include("nested_admin.urls")),
    path("", include("digests.urls")),
]
