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
# A worker process whose main loop is silent this long (stuck, not merely busy: with
# threads a long request does not count) is killed and replaced. A request's own limits
# are the database's lock and statement timeouts (DB_LOCK_TIMEOUT, DB_STATEMENT_TIMEOUT)
# and the timeouts of every call a web request makes (Redis 2 s, PostgreSQL's connect
# 5 s); SMS and email are sent by the task worker, never from a request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then: bounded memory over months
# Spread the restarts (a new worker takes about a second to boot): with a jitter of 200,
# the load test saw all five workers restart within 11 s of each other.
max_requests_jitter = 1000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
