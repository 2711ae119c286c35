"""The web entry point (gunicorn). It marks this process as a web process before the
settings load: web requests get the database's lock and statement timeouts
(settings.WEB_DATABASE_TIMEOUTS), the task worker and management commands do not.
(runserver, the demo's, loads the settings before this module: no timeouts there.)"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")
os.environ.setdefault("PEYVAND_WEB", "1")
application = get_wsgi_application()
