"""Public reader pages: only live (published) digests appear here."""
from django.core.paginator import Paginator
from django.shortcuts import render

from .models import Digest


def home(request):
    digests = Digest.objects.live().select_related("series").order_by("-date", "series__slug")
    page = Paginator(digests, 20).get_page(request.GET.get("page"))
    return render(request, "digests/home.html", {"page": page})
