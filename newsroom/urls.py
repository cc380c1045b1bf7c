"""URL routes: the admin, markdownx's preview endpoint and the public site."""
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from markdownx.views import MarkdownifyView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Only the live preview, for staff: the posts carry no images, so markdownx's
    # upload view (open to anyone by default) is not routed at all.
    path("markdownx/markdownify/", staff_member_required(MarkdownifyView.as_view()), name="markdownx_markdownify"),
    path("_nested_admin/", include("nested_admin.urls")),
    path("", include("digests.urls")),
]
