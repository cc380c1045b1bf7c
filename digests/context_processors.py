"""Template context shared by the public pages."""
from django.conf import settings


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, "SITE_DESCRIPTION": settings.SITE_DESCRIPTION}
