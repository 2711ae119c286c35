"""Peyvand as an installed app on a phone (a PWA): the web app manifest, the service
worker, the page it shows when there is no connection, and the app's icons.

The service worker caches the static files a page needs (their names change with their
content in production, so a cached one is never stale) and the offline page; it never
caches a page or an answer with data in it: a CRM shown from a stale copy would mislead,
and a shared phone must not keep a customer's page after sign-out. Its scope is the whole
site, so it is served from the root, not from /static/."""

from __future__ import annotations

import io
import json
from functools import cache

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from peyvand import __version__

BRAND = "#0d6efd"
# Icon sizes the manifest lists: Chromium installs from 192 and shows 512 on the splash.
ICON_SIZES = (192, 512)
# What every page loads, in base.html's order: cached at install, so the offline page
# and the app's frame come up at once.
SHELL_FILES = (
    "vendor/vazirmatn/Vazirmatn-Variable-font-face.css",
    "vendor/bootstrap/css/bootstrap.rtl.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "peyvand/css/app.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "peyvand/js/app.js",
    "peyvand/favicon.svg",
)


@login_not_required
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: Persian name, right to left, opens standalone on the home
    page (کارتابل)."""
    icons = [
        {"src": reverse("core:app_icon", args=[size, "any"]), "sizes": f"{size}x{size}",
         "type": "image/png", "purpose": "any"}
        for size in ICON_SIZES
    ] + [
        {"src": reverse("core:app_icon", args=[512, "maskable"]), "sizes": "512x512",
         "type": "image/png", "purpose": "maskable"}
    ]  # fmt: skip
    body = {
        "id": reverse("core:home"),
        "name": "پیوند — مدیریت ارتباط با مشتری",
        "short_name": "پیوند",
        "description": "سرنخ‌ها، پیگیری‌ها، مشتریان و درخواست‌ها در جیب شما",
        "lang": "fa",
        "dir": "rtl",
        "start_url": reverse("core:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": BRAND,
        "icons": icons,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker (templates/core/service_worker.js), from the root so that it
    may serve every page's offline answer. Never cached by the browser's HTTP cache: a
    new version is found on the next visit."""
    context = {
        "cache_name": f"peyvand-{__version__}",
        "offline_url": reverse("core:offline"),
        "shell": json.dumps([reverse("core:offline"), *(static(path) for path in SHELL_FILES)]),
        "static_prefix": static(""),
        # Production's storage names each file by its content (README «Production»).
        "hashed_names": isinstance(storages["staticfiles"], ManifestFilesMixin),
    }
    response = render(
        request, "core/service_worker.js", context, content_type="application/javascript"
    )
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What an installed Peyvand shows when a page cannot be reached: in Persian, no
    data (the service worker keeps this one page)."""
    return render(request, "core/offline.html")


@login_not_required
@require_GET
def app_icon(request: HttpRequest, size: int, purpose: str) -> HttpResponse:
    if size not in ICON_SIZES or purpose not in ("any", "maskable"):
        raise Http404
    response = HttpResponse(_icon_png(size, purpose), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@cache
def _icon_png(size: int, purpose: str) -> bytes:
    """The favicon's chain link (static/peyvand/favicon.svg), white on the brand blue,
    drawn four times larger and scaled down for smooth edges. «maskable» fills the
    square (the launcher cuts its own shape) and keeps the link inside the safe circle."""
    from PIL import Image, ImageDraw

    scale = 4
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if purpose == "maskable":
        draw.rectangle((0, 0, side, side), fill=BRAND)
        unit = side * 0.6 / 32  # the 32-unit drawing in the middle 60 %
    else:
        draw.rounded_rectangle((0, 0, side - 1, side - 1), radius=side * 7 // 32, fill=BRAND)
        unit = side / 32
    offset = (side - 32 * unit) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return (offset + x * unit, offset + y * unit)

    width = round(3 * unit)
    white = (255, 255, 255, 255)
    radius = 4.25
    # The favicon's three strokes: the bar, and two links, each a half circle with two
    # straight legs (SVG y grows downwards, as Pillow's does; Pillow's arcs go clockwise).
    lines = [((13, 19), (19, 13)), ((15, 10), (17, 8)), ((23, 14), (21, 16)),
             ((17, 22), (15, 24)), ((9, 18), (11, 16))]  # fmt: skip
    for start, end in lines:
        draw.line([at(*start), at(*end)], fill=white, width=width)
    for (cx, cy), first in (((20, 11), 225), ((12, 21), 45)):
        # Pillow strokes an arc inside its box: the box grows by half the stroke.
        (left, top), (right, bottom) = at(cx - radius, cy - radius), at(cx + radius, cy + radius)
        half = width / 2
        box = (left - half, top - half, right + half, bottom + half)
        draw.arc(box, first, first + 180, fill=white, width=width)
    # Round ends, as stroke-linecap="round".
    for point in {point for line in lines for point in line}:
        x, y = at(*point)
        draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=white)
    out = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
    return out.getvalue()
