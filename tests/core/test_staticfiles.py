"""Static files for production (README, «Production»): collectstatic with the manifest
storage finds every file the templates name and every file those name in turn (fonts,
source maps), and takes from node_modules only the front-end files the pages load."""

import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from peyvand.core.staticfiles import VendorFinder

TEMPLATE_ROOTS = [
    Path(settings.BASE_DIR) / "templates",
    *Path(settings.BASE_DIR).glob("peyvand/*/templates"),
]


def named_in_templates() -> set[str]:
    return {
        name
        for root in TEMPLATE_ROOTS
        for template in root.rglob("*.html")
        for name in re.findall(r"\{% static ['\"]([^'\"]+)['\"]", template.read_text())
    }


def test_collectstatic_finds_every_file_the_pages_name(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    # Django's manifest storage: the same references checked as with WhiteNoise's, which
    # only adds compression (slow, and not what is tested here).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    collected = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    named = named_in_templates()
    assert "vendor/htmx/htmx.min.js" in named and "peyvand/js/app.js" in named
    assert named <= collected.keys(), named - collected.keys()
    # The fonts the stylesheets name, and a minified file's source map, came along.
    assert "vendor/vazirmatn/fonts/webfonts/Vazirmatn[wght].woff2" in collected
    assert "vendor/bootstrap/js/bootstrap.bundle.min.js.map" in collected
    # Nothing else of the packages: no ESM builds, unminified copies or TTF fonts.
    vendor = [name for name in collected if name.startswith("vendor/")]
    assert not [name for name in vendor if ".esm" in name or name.endswith((".ttf", ".ts"))]
    assert len(vendor) < 30, vendor


def test_the_vendor_files_are_found_while_developing_and_checked():
    found = finders.find("vendor/tom-select/js/tom-select.complete.min.js")
    assert found and Path(found).is_file() and "node_modules" in found
    assert finders.find("vendor/tom-select/esm/tom-select.js") is None
    assert VendorFinder().check() == []
