"""The third-party front-end files the pages load, found in node_modules (installed from
the npm registry, pinned by package-lock.json) and served under static/vendor/.

Only these files, not the packages' whole folders: those hold ESM and CommonJS builds,
unminified copies, TypeScript types and every weight of the fonts (~3,400 files,
~150 MB once compressed), which collectstatic would hash and compress for minutes on
each upgrade and the app would serve for nothing. A file's source map comes along when
the package ships one (the minified file names it, and the manifest storage requires
every file a file names)."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import matches_patterns
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# Static prefix: (the package's folder in node_modules, the files the pages load and
# the files those name: fonts of the stylesheets).
VENDOR = {
    "vendor/bootstrap": (
        "bootstrap/dist",
        ["css/bootstrap.rtl.min.css", "js/bootstrap.bundle.min.js"],
    ),
    "vendor/bootstrap-icons": (
        "bootstrap-icons/font",
        ["bootstrap-icons.min.css", "fonts/bootstrap-icons.woff2", "fonts/bootstrap-icons.woff"],
    ),
    "vendor/htmx": ("htmx.org/dist", ["htmx.min.js"]),
    "vendor/vazirmatn": (
        "vazirmatn",
        ["Vazirmatn-Variable-font-face.css", "fonts/webfonts/Vazirmatn[wght].woff2"],
    ),
    "vendor/jalalidatepicker": (
        "@majidh1/jalalidatepicker/dist",
        ["jalalidatepicker.min.css", "jalalidatepicker.min.js"],
    ),
    "vendor/tom-select": (
        "tom-select/dist",
        ["css/tom-select.bootstrap5.min.css", "js/tom-select.complete.min.js"],
    ),
    "vendor/chart.js": ("chart.js/dist", ["chart.umd.min.js"]),
}


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.files: dict[str, tuple[FileSystemStorage, str]] = {}  # static path → source
        for prefix, (folder, names) in VENDOR.items():
            storage = FileSystemStorage(location=Path(settings.NODE_MODULES) / folder)
            storage.prefix = prefix  # collectstatic copies each file under it
            for name in names:
                for wanted in (name, f"{name}.map"):
                    if wanted == name or storage.exists(wanted):
                        self.files[f"{prefix}/{wanted}"] = (storage, wanted)

    def check(self, **kwargs):
        return [
            Error(
                f"Front-end file «{static_path}» is missing from node_modules.",
                hint="Run `make setup` (npm ci installs the pinned packages).",
                id="peyvand.E001",
            )
            for static_path, (storage, name) in self.files.items()
            if not storage.exists(name)
        ]

    def find(self, path, find_all=False, **kwargs):
        source = self.files.get(path)
        if source is None or not source[0].exists(source[1]):
            return []  # Django's finders answer "none" so, whether find_all or not
        found = source[0].path(source[1])
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for storage, name in self.files.values():
            if not matches_patterns(name, ignore_patterns or []):
                yield name, storage
