"""Peyvand installs on a phone (core.app_shell): a valid Persian, right-to-left manifest
with real icons, a service worker that keeps only static files and the offline page,
and that offline page in Persian, all reachable before signing in."""

import io
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from peyvand.core.app_shell import SHELL_FILES

pytestmark = pytest.mark.django_db


def test_the_manifest_names_peyvand_in_persian_right_to_left(client):
    response = client.get(reverse("core:manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["short_name"] == "پیوند"
    assert manifest["lang"] == "fa" and manifest["dir"] == "rtl"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == reverse("core:home") and manifest["scope"] == "/"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_every_icon_is_a_png_of_its_size(client):
    for icon in json.loads(client.get(reverse("core:manifest")).content)["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "PNG"
        assert f"{image.width}x{image.height}" == icon["sizes"]
        # Drawn, not blank: the brand blue and the white link are both there.
        colours = {
            colour[:3]
            for _count, colour in image.convert("RGBA").getcolors(1 << 20)
            if colour[3] == 255
        }
        assert (13, 110, 253) in colours and (255, 255, 255) in colours
    assert client.get(reverse("core:app_icon", args=[64, "any"])).status_code == 404


def test_the_service_worker_keeps_static_files_and_the_offline_page_only(client):
    response = client.get(reverse("core:service_worker"))
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", script).group(1))
    assert shell[0] == reverse("core:offline")
    # Every file it caches at install exists (a missing one fails the whole install).
    for path in SHELL_FILES:
        assert finders.find(path), path
    assert len(shell) == len(SHELL_FILES) + 1
    # Pages go to the network; only the static prefix is ever put in the cache.
    assert script.count("cache.put(") == 1
    assert 'request.mode === "navigate"' in script
    # The test settings' static files keep their names: the network comes first.
    assert "var HASHED_NAMES = false;" in script


def test_the_offline_page_speaks_persian_without_a_sign_in(client):
    page = client.get(reverse("core:offline")).content.decode()
    assert "به اینترنت وصل نیستید" in page
    assert not re.search(r"[0-9]", re.sub(r"<[^>]*>", "", page))


def test_every_page_links_the_manifest_and_the_worker(client, personas):
    client.force_login(personas.owner)
    page = client.get(reverse("core:home")).content.decode()
    assert f'<link rel="manifest" href="{reverse("core:manifest")}">' in page
    assert f'data-service-worker="{reverse("core:service_worker")}"' in page
