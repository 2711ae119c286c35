"""Peyvand (پیوند), a Persian-first CRM. The version is the installed package's
(pyproject.toml); the UI shows it, so a support call can ask for it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("peyvand")
except PackageNotFoundError:  # run from a checkout without `make setup`
    __version__ = "0.0.0"
