"""The project's addresses plus one that fails, for the 500 page's test."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from peyvand.urls import handler400, handler500, urlpatterns  # noqa: F401


@login_not_required
def broken(request):
    raise RuntimeError("a fault of ours")


urlpatterns = [*urlpatterns, path("broken/", broken)]
