"""gunicorn's settings for Peyvand (README, «Production»): `gunicorn -c gunicorn.conf.py`.
Everything can be overridden from the environment."""

import multiprocessing
import os

wsgi_app = "peyvand.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threaded workers (gthread): a request that waits — on a lock (up to DB_LOCK_TIMEOUT), a
# slow SMS provider, a database restarting — holds one thread, not a whole process, so the
# login page, other lists and /health/ keep answering. Two processes per core plus one
# (the CPU work: templates, PDFs), four threads each (the waiting); every thread keeps its
# own database connection: workers × threads connections per app server (20 on two
# cores), well under PostgreSQL's 100.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A worker silent this long is killed and replaced; a request's own limit is the
# database's statement timeout (DB_STATEMENT_TIMEOUT, 30 s) and a PDF or export's length.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then: bounded memory over months
# Spread the restarts (a new worker takes about a second to boot): with a jitter of 200,
# the load test saw all five workers restart within 11 s of each other.
max_requests_jitter = 1000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
