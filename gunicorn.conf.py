"""gunicorn's settings for Peyvand (README, «Production»): `gunicorn -c gunicorn.conf.py`.
Everything can be overridden from the environment."""

import multiprocessing
import os

wsgi_app = "peyvand.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: Django's ORM and WeasyPrint are blocking; two per core plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a PDF or an export at most
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then: bounded memory over months
# Spread the restarts (a new worker takes about a second to boot): with a jitter of 200,
# the load test saw all five workers restart within 11 s of each other.
max_requests_jitter = 1000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
