"""The scale-out load test (issue 9): Peyvand as production runs it — gunicorn
(gunicorn.conf.py and its worker count), two task workers, Redis and PostgreSQL — driven
over loopback by locust with the journeys of 50 people at once.

    make loadtest                                   # or, after pip install -e ".[bench]":
    .venv/bin/python bench/load_test.py [--users 50] [--duration 180] [--reuse]
    .venv/bin/python bench/load_test.py --reuse --users 10 --duration 30   # a quick look

Steps: (re)creates the database ``peyvand_load`` on 127.0.0.1:5432 (user postgres;
``--reuse`` keeps it and adds only what is missing), migrates and seeds it with
bench/load_data.py (the demo plus, per account, a small company's records: about
14,000 contacts, 3,600 leads, 11,000 follow-ups, 4,500 requests and 900 complaints at 50
users), runs ``collectstatic`` into var/load_test/ (skipped while its manifest is newer
than the sources: compressing every file takes minutes), starts redis-server (when
installed; ``--no-redis``) for the cache and sessions as the README's production does,
gunicorn on a free loopback port and two ``manage.py worker`` processes, with the
production settings (``PEYVAND_PRODUCTION=1``, a random ``SECRET_KEY``) but for the
two that plain HTTP on loopback needs: ``SECURE_SSL_REDIRECT=0`` and
``SECURE_COOKIES=0``, both documented settings (README, «Configuration»); then waits for
``/health/``.

Each virtual user signs in with an account and a session of its own (managers with
their authenticator's code, as production requires) and repeats its role's journeys
with 1–3 seconds of thought between steps; every full page also asks the bell, as the
browser does on load, and the first one fetches the static files. Sales reps (6 in 10):
the home page, their due follow-ups, the lead list and its filters, a lead's page and a
follow-up logged through its entry row (the htmx form POST, CSRF included), the top-bar
search and a contact's page. Support agents (3 in 10): their inbox, a request's page, a
new request through the form (the customer picked in the autocomplete), the complaint
list and a complaint. Managers (1 in 10): the reports (one, then another period), the
dashboard, the contact list and its filters, all requests. Every answer is checked: 200,
or 302 to where it should go; no Persian error page, no form errors, no sign-in page in
place of the page.

Users start at ``--spawn-rate`` a second; signing in hashes a password (slow on
purpose), so the ramp-up is reported apart and the table covers the ``--duration``
seconds that follow it and ``--warmup`` seconds more. It ends with per-endpoint and total
counts, requests/s, p50/p95/p99 and maximum latency, the errors, the CPU the app used
against the rest of the machine's, and PASS (no error, total p95 under ``--p95`` ms) or
FAIL (exit status 1). Everything it started is stopped however it ends (Ctrl-C, SIGTERM,
an error); only 127.0.0.1 is used. Failed-login limits are never reached: every sign-in
is right the first time.
"""

import argparse
import contextlib
import hashlib
import itertools
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
import psycopg
from locust import FastHttpUser, between, task
from locust.env import Environment
from locust.exception import RescheduleTask
from locust.stats import RequestStats

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "load_test"
SERVER = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "peyvand-load"  # noqa: S105 - bench/load_data.py's accounts, on a throwaway database
WEIGHTS = {"sales": 6, "support": 3, "manager": 1}
ERROR_TITLES = ("پیدا نشد", "دسترسی ندارید", "خطای سامانه")
FORM_ERRORS = ("invalid-feedback", "alert-danger")
SEARCH_WORDS = [
    "کریمی", "احمدی", "حسینی", "رضایی", "محمدی", "موسوی", "جعفری", "صادقی", "مهرگان",
    "پارس", "نگین", "البرز", "سینا", "آریا", "کوثر", "0912", "0935",
]  # fmt: skip
FOLLOWUP_TEXTS = [
    "تماس گرفته شد؛ پیش‌فاکتور را بررسی می‌کنند.",
    "جلسه برای هفته بعد هماهنگ شد.",
    "کاتالوگ و نمونه قیمت ارسال شد.",
    "مسئول خرید در مرخصی است؛ دوباره تماس می‌گیریم.",
]
REQUEST_TEXTS = [
    ("دستگاه پس از نصب خاموش می‌شود", "مشتری تلفنی خبر داد که دستگاه پس از نیم ساعت خاموش می‌شود."),
    ("درخواست آموزش نرم‌افزار", "سه نفر از کارکنان مشتری آموزش کار با نرم‌افزار می‌خواهند."),
    ("صورت‌حساب دوباره فرستاده شود", "نسخه چاپی صورت‌حساب ماه گذشته به دست مشتری نرسیده است."),
]


def totp_key(name: str) -> str:
    """As bench/load_data.py gives the account's authenticator."""
    return hashlib.sha1(f"peyvand-load:{name}".encode()).hexdigest()  # noqa: S324 - a name


def totp_code(key: str, step: int) -> str:
    """The six digits an authenticator app shows in this 30-second step (django-otp's own
    RFC 4226/6238 code, the one that checks them). Imported here, not at the top: the
    django_otp package touches Django's settings, which locust's gevent patching (it must
    come first) trips over."""
    from django_otp.oath import hotp

    return f"{hotp(bytes.fromhex(key), step):06d}"


# Reading pages --------------------------------------------------------------------------


class FormReader(HTMLParser):
    """The page's forms as a browser would submit them untouched: each form's attributes,
    its fields (name, value) in order, and every select's option values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "form":
            self._form = {"attrs": attributes, "fields": [], "options": {}}
            self.forms.append(self._form)
        elif self._form is None or (not name and tag != "option"):
            return
        elif tag == "input":
            kind = attributes.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self._form["fields"].append((name, attributes.get("value") or ""))
        elif tag == "select":
            self._select = {"name": name, "multiple": "multiple" in attributes, "selected": []}
            self._form["options"][name] = []
        elif tag == "option" and self._select is not None:
            value = attributes.get("value") or ""
            self._form["options"][self._select["name"]].append(value)
            if "selected" in attributes:
                self._select["selected"].append(value)
        elif tag == "textarea":
            self._textarea = [name, ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select["name"], self._form["options"][self._select["name"]]
            chosen = self._select["selected"] or ([] if self._select["multiple"] else options[:1])
            self._form["fields"].extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            # Browsers drop the newline right after <textarea>.
            self._form["fields"].append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def find_form(html: str, *, form_id: str | None = None, field: str | None = None) -> dict:
    """The page's form with that id, or the first with that field."""
    reader = FormReader()
    reader.feed(html)
    for form in reader.forms:
        names = {name for name, _value in form["fields"]} | form["options"].keys()
        if (form_id is None or form["attrs"].get("id") == form_id) and (
            field is None or field in names
        ):
            return form
    raise LookupError(f"no form (id {form_id}, field {field}) on the page")


def filled(form: dict, **values) -> list[tuple[str, str]]:
    """The form's fields with ``values`` in place of theirs (a list: several values)."""
    fields = [(name, value) for name, value in form["fields"] if name not in values]
    for name, value in values.items():
        fields.extend((name, item) for item in (value if isinstance(value, list) else [value]))
    return fields


def choice(form: dict, name: str) -> str:
    """A random non-empty option of a select, as a user picks one."""
    options = [value for value in form["options"].get(name, []) if value]
    return random.choice(options) if options else ""


def links(html: str, pattern: str) -> list[str]:
    return sorted(set(re.findall(rf'href="({pattern})"', html)))


# The users ------------------------------------------------------------------------------


class Journey(Exception):
    """A step failed (already counted as an error): the user starts another journey."""


class Person(FastHttpUser):
    """One person at a browser: their own account and session, 1–3 s between steps."""

    abstract = True
    role = ""
    wait_time = between(1, 3)
    accounts: dict[str, int] = {}  # role → how many accounts it has (set by run_load)
    _next: dict[str, itertools.count] = {}
    _codes_used: dict[str, int] = {}  # username → the last TOTP step it signed in with

    def on_start(self) -> None:
        number = next(self._next.setdefault(self.role, itertools.count()))
        self.username = f"load-{self.role}-{number % self.accounts[self.role] + 1:02d}"
        self.statics_fetched = False
        self.newest_notification = 0
        self.signed_in = False
        with contextlib.suppress(Journey):  # counted; the next journey tries again
            self.sign_in()

    def think(self) -> None:
        gevent.sleep(self.wait_time())

    # Requests, each checked ------------------------------------------------------------

    def call(
        self,
        method: str,
        url: str,
        name: str,
        *,
        data: list | None = None,
        htmx: bool = False,
        redirect_to: str | None = None,
        form_post: bool = False,
        json_answer: bool = False,
        sign_in_page: bool = False,
    ):
        """Sends one request and judges its answer; a bad one is an error with the
        reason, and the journey stops there (raises Journey)."""
        headers = {"Accept-Language": "fa"}
        if htmx:
            headers["HX-Request"] = "true"
            headers["HX-Current-URL"] = self.host + url
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if token := dict(data).get("csrfmiddlewaretoken"):
                headers["X-CSRFToken"] = token  # what htmx sends (hx-headers on <body>)
        if json_answer:
            headers["Accept"] = "application/json"
        with self.client.request(
            method,
            url,
            name=name,
            data=body,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            reason = self.judge(
                response, redirect_to=redirect_to, form_post=form_post, sign_in_page=sign_in_page
            )
            if json_answer and reason is None:
                try:
                    response.answer = json.loads(response.text)
                except ValueError:
                    reason = "not JSON"
            if reason is not None:
                response.failure(reason)
                raise Journey(reason)
            response.success()
            return response

    def judge(
        self, response, *, redirect_to: str | None, form_post: bool, sign_in_page: bool
    ) -> str | None:
        status = response.status_code
        if status == 302:
            location = urlsplit(response.headers.get("Location") or "").path
            if redirect_to:
                return None if re.fullmatch(redirect_to, location) else f"redirected to {location}"
            if location.startswith("/accounts/login/"):
                return "sent to the sign-in page"
            return None
        if status != 200:
            return f"HTTP {status}"
        if redirect_to:
            # A form that did not go through answers 200 with its errors.
            text = response.text or ""
            title = re.search(r"<title>(.*?)</title>", text, re.S)
            return f"200 instead of a redirect ({title.group(1).strip() if title else ''})"
        text = response.text or ""
        title = re.search(r"<title>(.*?)</title>", text[:2000], re.S)
        if title and any(error in title.group(1) for error in ERROR_TITLES):
            return f"error page «{title.group(1).strip()}»"
        if not sign_in_page and 'name="password"' in text:
            return "sign-in page instead of the page"
        if form_post and any(marker in text for marker in FORM_ERRORS):
            found = re.search(r"(?:invalid-feedback[^>]*|alert-danger[^>]*)>([^<]*)", text)
            return f"form errors: {found.group(1).strip() if found else '?'}"
        return None

    def page(self, url: str, name: str):
        """A full page as the browser loads it: the HTML, the static files the first
        time (then cached forever by their hashed names), and the bell's poll."""
        response = self.call("GET", url, name)
        if not self.statics_fetched:
            self.statics_fetched = True
            for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', response.text):
                self.call("GET", asset, "static file (first page only)")
        answer = self.call(
            "GET",
            f"/notifications/poll/?after={self.newest_notification}",
            "/notifications/poll/",
            json_answer=True,
        ).answer
        if answer["fresh"]:
            self.newest_notification = max(item["id"] for item in answer["fresh"])
        return response

    def sign_in(self) -> None:
        login = self.call("GET", "/accounts/login/", "/accounts/login/", sign_in_page=True)
        form = find_form(login.text, field="password")
        response = self.call(
            "POST",
            "/accounts/login/",
            "/accounts/login/",
            data=filled(form, username=self.username, password=PASSWORD),
            redirect_to="/|/accounts/login/code/",
        )
        if urlsplit(response.headers.get("Location") or "").path == "/accounts/login/code/":
            self.second_step()
        self.signed_in = True
        self.page("/", "/ (home)")

    def second_step(self) -> None:
        """The authenticator's code (managers). A code signs in once: a second sign-in
        of the same account waits for the next 30-second step, as a person would."""
        step = int(time.time()) // 30
        while self._codes_used.get(self.username, -1) >= step:
            gevent.sleep(30 - time.time() % 30 + 0.1)
            step = int(time.time()) // 30
        self._codes_used[self.username] = step
        page = self.call("GET", "/accounts/login/code/", "/accounts/login/code/")
        form = find_form(page.text, field="code")
        self.call(
            "POST",
            "/accounts/login/code/",
            "/accounts/login/code/",
            data=filled(form, code=totp_code(totp_key(self.username), step)),
            redirect_to="/",
        )

    # Shared steps -------------------------------------------------------------------------

    def search(self) -> None:
        """The top-bar search: suggestions as the user types (htmx, after a pause), then
        a contact from them or the full results."""
        word = random.choice(SEARCH_WORDS)
        query = urlencode({"q": word})
        suggestions = self.call(
            "GET", f"/search/?{query}", "/search/?q= (suggestions, htmx)", htmx=True
        )
        contacts = links(suggestions.text, r"/contacts/\d+/")
        self.think()
        if contacts and random.random() < 0.7:
            self.page(random.choice(contacts), "/contacts/[id]/")
        else:
            self.page(f"/search/?{query}", "/search/?q=")

    def home(self) -> None:
        self.page("/", "/ (home)")


def journey(weight: int):
    """A task that ends quietly (the error already counted) when a step fails."""

    def wrap(function):
        def run(user):
            try:
                if not user.signed_in:
                    user.sign_in()
                function(user)
            except Journey:
                raise RescheduleTask() from None

        run.__name__ = function.__name__
        return task(weight)(run)

    return wrap


class SalesRep(Person):
    weight = WEIGHTS["sales"]
    role = "sales"

    @journey(3)
    def home_page(self) -> None:
        self.home()

    @journey(2)
    def due_followups(self) -> None:
        self.page("/sales/followups/", "/sales/followups/")

    @journey(2)
    def lead_list(self) -> None:
        listing = self.page("/sales/leads/", "/sales/leads/")
        form = find_form(listing.text, form_id="lead-filters")
        self.think()
        change = random.choice(["result", "responsible", "status", "q"])
        value = random.choice(["خرید", "نصب", "سامانه"]) if change == "q" else choice(form, change)
        self.call(
            "GET",
            f"/sales/leads/?{urlencode(filled(form, **{change: value}))}",
            "/sales/leads/?filters (htmx)",
            htmx=True,
        )

    @journey(3)
    def log_followup(self) -> None:
        """From the due list to a lead's page; N opens the entry row (htmx), and the
        follow-up is typed and saved (htmx POST): the card comes back with it."""
        due = self.page("/sales/followups/", "/sales/followups/")
        leads = links(due.text, r"/sales/leads/\d+/")
        if not leads:
            return
        lead = random.choice(leads)
        self.think()
        self.page(lead, "/sales/leads/[id]/")
        self.think()
        entry = self.call(
            "GET", f"{lead}followups/", "/sales/leads/[id]/followups/ (entry row, htmx)", htmx=True
        )
        form = find_form(entry.text, field="result")
        self.think()
        next_date = random.choice(["", "+1", "+3", "+5"])
        self.call(
            "POST",
            f"{lead}followups/",
            "/sales/leads/[id]/followups/ (save, htmx)",
            data=filled(
                form,
                result=choice(form, "result"),
                channel=choice(form, "channel"),
                description=random.choice(FOLLOWUP_TEXTS),
                next_date=next_date,
                next_time=random.choice(["", "10:30"]) if next_date else "",
            ),
            htmx=True,
            form_post=True,
        )

    @journey(2)
    def top_bar_search(self) -> None:
        self.search()

    @journey(1)
    def a_contact(self) -> None:
        home = self.page("/", "/ (home)")
        contacts = links(home.text, r"/contacts/\d+/")
        if contacts:
            self.think()
            self.page(random.choice(contacts), "/contacts/[id]/")


class SupportAgent(Person):
    weight = WEIGHTS["support"]
    role = "support"

    @journey(3)
    def inbox_and_request(self) -> None:
        inbox = self.page("/service/requests/", "/service/requests/")
        requests = links(inbox.text, r"/service/requests/\d+/")
        if requests:
            self.think()
            self.page(random.choice(requests), "/service/requests/[id]/")

    @journey(1)
    def register_request(self) -> None:
        """A customer calls: the agent opens a new request, finds the customer in the
        autocomplete, writes it down and hands it to someone."""
        blank = self.page("/service/requests/new/", "/service/requests/new/")
        form = find_form(blank.text, field="description")
        self.think()
        found = self.call(
            "GET",
            f"/contacts/autocomplete/?{urlencode({'q': random.choice(SEARCH_WORDS[:12])})}",
            "/contacts/autocomplete/?q=",
            json_answer=True,
        ).answer["results"]
        subject, text = random.choice(REQUEST_TEXTS)
        self.think()
        saved = self.call(
            "POST",
            "/service/requests/new/",
            "/service/requests/new/ (save)",
            data=filled(
                form,
                contact=str(random.choice(found)["id"]) if found else "",
                channel=choice(form, "channel"),
                subject=subject,
                description=text,
                assignee=choice(form, "assignee"),
            ),
            redirect_to=r"/service/requests/\d+/",
        )
        self.page(saved.headers["Location"], "/service/requests/[id]/")

    @journey(2)
    def complaints(self) -> None:
        listing = self.page("/service/complaints/", "/service/complaints/")
        complaints = links(listing.text, r"/service/complaints/\d+/")
        if complaints and random.random() < 0.5:
            self.think()
            self.page(random.choice(complaints), "/service/complaints/[id]/")

    @journey(1)
    def home_page(self) -> None:
        self.home()

    @journey(1)
    def top_bar_search(self) -> None:
        self.search()


class Manager(Person):
    weight = WEIGHTS["manager"]
    role = "manager"

    @journey(3)
    def a_report(self) -> None:
        index = self.page("/reports/", "/reports/")
        reports = [
            url for url in links(index.text, r"/reports/[a-z_]+/") if url != "/reports/dashboard/"
        ]
        report = random.choice(reports)
        self.think()
        shown = self.page(report, "/reports/[slug]/")
        if random.random() < 0.5:
            form = find_form(shown.text, field="period")
            self.think()
            period = random.choice(["this_month", "last_month", "this_year"])
            query = urlencode(filled(form, period=period, date_from="", date_to=""))
            self.page(f"{report}?{query}", "/reports/[slug]/?period=")

    @journey(2)
    def dashboard(self) -> None:
        self.page("/reports/dashboard/", "/reports/dashboard/")

    @journey(2)
    def contact_list(self) -> None:
        listing = self.page("/contacts/", "/contacts/")
        if random.random() < 0.5:
            form = find_form(listing.text, form_id="contact-filters")
            self.think()
            change = random.choice(["q", "owner", "category", "source"])
            value = random.choice(SEARCH_WORDS) if change == "q" else choice(form, change)
            query = urlencode(filled(form, **{change: value}))
            self.call("GET", f"/contacts/?{query}", "/contacts/?filters (htmx)", htmx=True)

    @journey(1)
    def all_requests(self) -> None:
        self.page("/service/requests/all/", "/service/requests/all/")

    @journey(1)
    def home_page(self) -> None:
        self.home()


# The servers ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings_env(database: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PEYVAND_PRODUCTION="1",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        # Plain HTTP on loopback: no redirect to https://, cookies without Secure (the
        # production defaults are on; both are documented settings).
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        DATABASE_URL=f"{SERVER}/{database}",
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        STATIC_ROOT=str(VAR / "static"),
        MEDIA_ROOT=str(VAR / "media"),
        SMS_BACKEND="console",
        SMS_CONSOLE_FILE=str(VAR / "sms.log"),
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    for name in ("REPORTS_DATABASE_URL", "REDIS_URL", "MEDIA_STORAGE"):
        env.pop(name, None)  # the shell's own: this run sets up its own
    return env


def prepare_database(name: str, reuse: bool) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and not reuse:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            connection.execute(f'CREATE DATABASE "{name}"')


def static_is_current() -> bool:
    """collectstatic compresses every file (minutes on two cores): skipped while its
    manifest is newer than our static files and the front-end packages' lock file."""
    manifest = VAR / "static" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [ROOT / "package-lock.json", *(ROOT / "static").rglob("*")]
    return manifest.stat().st_mtime > max(path.stat().st_mtime for path in sources)


class Services:
    """The app server and the task workers: each in its own process group, stopped
    (SIGTERM, then SIGKILL after 15 s) however the test ends."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, argv: list[str]) -> None:
        log = VAR / f"{name}.log"
        with log.open("w") as output:
            process = subprocess.Popen(  # noqa: S603 - our own commands
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append((name, process, log))

    def check_running(self) -> None:
        for name, process, log in self.processes:
            if process.poll() is not None:
                tail = "".join(log.read_text().splitlines(keepends=True)[-20:])
                raise SystemExit(f"{name} stopped (exit {process.returncode}):\n{tail}")

    def pids(self) -> list[int]:
        """Every process of ours (gunicorn's workers are the master's children)."""
        groups = {process.pid for _name, process, _log in self.processes}
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) in groups:  # the process group
                    found.append(int(stat.parent.name))
        return found

    def stop(self) -> None:
        for _name, process, _log in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _name, process, _log in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()


def wait_until_healthy(services: Services, base: str, seconds: float = 120) -> None:
    """/health/ answers 200 once the database answers and a worker has beaten."""
    deadline = time.monotonic() + seconds
    while True:
        services.check_running()
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{base}/health/", timeout=5) as answer,  # noqa: S310
        ):
            if answer.status == 200:
                return
        if time.monotonic() > deadline:
            raise SystemExit(f"{base}/health/ did not answer 200 in {seconds:.0f} s")
        time.sleep(1)


def wait_for_redis(services: Services, port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        services.check_running()
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.2)
    raise SystemExit(f"redis-server did not answer on port {port}")


def cpu_times(pids: list[int], *, reaped: bool = False) -> dict[int, float]:
    """CPU seconds (user and system) each process has used so far; ``reaped``: with
    those of its ended children it has waited for (gunicorn's recycled workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used = sum(map(int, fields[11:15] if reaped else fields[11:13]))
            times[pid] = used / ticks
    return times


def app_cpu(services: Services, database: str) -> tuple[float, dict[int, float]]:
    """Our processes' CPU so far, and each PostgreSQL backend's. Ours includes what
    ended workers used (their parent reaped them); a backend that ends with its worker
    (gunicorn recycles workers every 2,000 requests) takes its share along."""
    return sum(cpu_times(services.pids(), reaped=True).values()), cpu_times(postgres_pids(database))


def cpu_used(
    before: tuple[float, dict[int, float]], after: tuple[float, dict[int, float]]
) -> float:
    backends = sum(seconds - before[1].get(pid, 0) for pid, seconds in after[1].items())
    return after[0] - before[0] + backends


def machine_busy_seconds() -> float:
    """CPU seconds every core spent busy since boot (/proc/stat: all but idle, iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def postgres_pids(database: str) -> list[int]:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [database]
        ).fetchall()
    return [pid for (pid,) in rows]


# The report -------------------------------------------------------------------------------


def table(stats, seconds: float) -> list[str]:
    lines = [
        f"{'endpoint':<58} {'reqs':>6} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6}"
        f" {'max':>6} {'errors':>6}"
    ]
    entries = sorted(
        (entry for entry in stats.entries.values() if entry.num_requests),
        key=lambda entry: (-entry.num_requests, entry.name),
    )
    for entry in [*entries, stats.total]:
        if entry is stats.total:
            lines.append("-" * len(lines[0]))
        label = "total" if entry is stats.total else f"{entry.method} {entry.name}"
        lines.append(
            f"{label[:58]:<58} {entry.num_requests:>6} {entry.num_requests / seconds:>6.1f}"
            f" {entry.get_response_time_percentile(0.5):>6.0f}"
            f" {entry.get_response_time_percentile(0.95):>6.0f}"
            f" {entry.get_response_time_percentile(0.99):>6.0f}"
            f" {entry.max_response_time or 0:>6.0f} {entry.num_failures:>6}"
        )
    return lines


def error_lines(stats, runner) -> list[str]:
    lines = [
        f"  {error.occurrences:>4}× {error.method} {error.name}: {error.error}"
        for error in sorted(stats.errors.values(), key=lambda error: -error.occurrences)
    ]
    lines += [
        f"  {exception['count']:>4}× exception: {exception['msg']} ({exception['nodes']})"
        for exception in runner.exceptions.values()
    ]
    return lines


def tasks_run() -> str:
    """What the task workers' logs say (django-tasks-db: a line per state change)."""
    states: dict[str, int] = {}
    for log in VAR.glob("worker-*.log"):
        for state in re.findall(r"state=([A-Z]+)", log.read_text(errors="replace")):
            states[state] = states.get(state, 0) + 1
    finished = {state: count for state, count in states.items() if state != "RUNNING"}
    return (
        ", ".join(f"{count} {state.lower()}" for state, count in sorted(finished.items())) or "none"
    )


def summary(entry) -> str:
    return (
        f"{entry.num_requests} requests, p50 {entry.get_response_time_percentile(0.5):.0f} ms,"
        f" p95 {entry.get_response_time_percentile(0.95):.0f} ms,"
        f" max {entry.max_response_time or 0:.0f} ms, {entry.num_failures} errors"
    )


# Running it -------------------------------------------------------------------------------


def accounts_per_role(users: int) -> dict[str, int]:
    total = sum(WEIGHTS.values())
    return {role: max(1, math.ceil(users * weight / total)) for role, weight in WEIGHTS.items()}


def run_load(args, base: str, services: Services) -> bool:
    Person.accounts = accounts_per_role(args.users)
    Person.wait_time = between(args.min_wait, args.max_wait)
    env = Environment(user_classes=[SalesRep, SupportAgent, Manager], host=base)
    runner = env.create_local_runner()
    window: dict = {}
    ramp_lines: list[str] = []

    def measure() -> None:
        # The ramp-up's numbers (sign-ins, first pages, static files) are kept apart.
        login = env.stats.get("/accounts/login/", "POST")
        ramp_lines.append(f"sign-ins (password POST): {summary(login)}")
        code = env.stats.entries.get(("/accounts/login/code/", "POST"))
        if code is not None:
            ramp_lines.append(f"authenticator codes (POST): {summary(code)}")
        ramp_lines.append(f"everything during the ramp-up: {summary(env.stats.total)}")
        ramp_lines.extend(line.strip() for line in error_lines(env.stats, runner))
        env.stats.reset_all()
        runner.exceptions.clear()
        window.update(
            started=time.monotonic(),
            app=app_cpu(services, args.database),
            machine=machine_busy_seconds(),
            driver=sum(cpu_times([os.getpid()]).values()),
            load=os.getloadavg()[0],
        )
        print(f"measuring for {args.duration} s…", flush=True)
        gevent.spawn_later(args.duration, runner.quit)

    def spawned(user_count: int) -> None:
        print(f"{user_count} users signed in and working; {args.warmup} s to settle…", flush=True)
        gevent.spawn_later(args.warmup, measure)

    env.events.spawning_complete.add_listener(spawned)
    runner.start(args.users, spawn_rate=args.spawn_rate)
    # Bounded whatever happens: the ramp-up, the warm-up, the measurement, a minute more.
    limit = args.users / args.spawn_rate + args.warmup + args.duration + 60
    watchdog = gevent.spawn_later(limit, runner.quit)
    try:
        runner.greenlet.join()
    finally:
        watchdog.kill()
        runner.quit()
    if "started" not in window:
        raise SystemExit("the load test stopped before its measured window")
    seconds = time.monotonic() - window["started"]
    app = cpu_used(window["app"], app_cpu(services, args.database))
    machine = machine_busy_seconds() - window["machine"]
    driver = sum(cpu_times([os.getpid()]).values()) - window["driver"]
    cores = os.cpu_count() or 1
    stats = env.stats
    errors = stats.total.num_failures + sum(item["count"] for item in runner.exceptions.values())
    p95 = stats.total.get_response_time_percentile(0.95)
    print()
    print(
        f"{args.users} users ({Person.accounts['sales']} sales reps, "
        f"{Person.accounts['support']} support agents, {Person.accounts['manager']} managers"
        f" at most), {args.min_wait:g}–{args.max_wait:g} s between steps; measured"
        f" {seconds:.0f} s after the ramp-up ({args.spawn_rate:g} users/s) and"
        f" {args.warmup} s of warm-up"
    )
    print(
        f"gunicorn {args.web_workers or cores * 2 + 1} gthread workers"
        f" × {args.threads or 4} threads,"
        f" 2 task workers, PostgreSQL {args.database},"
        f" {'Redis (cache, sessions)' if args.redis else 'no Redis'}; {cores} cores"
    )
    print()
    print("\n".join(table(stats, seconds)))
    print()
    print(
        f"CPU, in cores busy: the app (gunicorn, task workers, its PostgreSQL backends)"
        f" {app / seconds:.2f}, this load generator {driver / seconds:.2f}, everything else"
        f" on the machine {(machine - app - driver) / seconds:.2f}, of {cores} (load average"
        f" {window['load']:.1f} at the start, {os.getloadavg()[0]:.1f} at the end);"
        f" the app's CPU per request {app / max(1, stats.total.num_requests) * 1000:.0f} ms"
    )
    print(f"background tasks run by the workers: {tasks_run()}")
    print("the ramp-up, not in the table:")
    print("\n".join(f"  {line}" for line in ramp_lines))
    if errors:
        print("errors:")
        print("\n".join(error_lines(stats, runner)))
    # The bell's poll follows every page and costs little: the pages' own p95 as well.
    pages = RequestStats()
    for entry in stats.entries.values():
        if entry.name != "/notifications/poll/":
            pages.total.extend(entry)
    passed = errors == 0 and p95 < args.p95
    print(
        f"{'PASS' if passed else 'FAIL'}: {errors} errors (target 0), p95 {p95:.0f} ms"
        f" (target under {args.p95:.0f} ms; without the bell's polls"
        f" {pages.total.get_response_time_percentile(0.95):.0f} ms),"
        f" {stats.total.num_requests / seconds:.1f} requests/s"
    )
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=1, help="users started a second")
    parser.add_argument("--duration", type=int, default=180, help="measured seconds")
    parser.add_argument("--warmup", type=int, default=30, help="seconds after the ramp-up")
    parser.add_argument("--min-wait", type=float, default=1.0, help="seconds between steps")
    parser.add_argument("--max-wait", type=float, default=3.0)
    parser.add_argument("--p95", type=float, default=300, help="the target, milliseconds")
    parser.add_argument("--database", default="peyvand_load")
    parser.add_argument("--reuse", action="store_true", help="keep the database's rows")
    parser.add_argument("--volume", type=float, default=1.0, help="scales the seeded rows")
    parser.add_argument("--web-workers", type=int, help="gunicorn workers (default: its conf)")
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker")
    parser.add_argument("--no-redis", action="store_true", help="no Redis even if installed")
    args = parser.parse_args()
    # SIGTERM ends the run like Ctrl-C: through the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    VAR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = settings_env(args.database, port)
    python = sys.executable
    print(f"database {args.database} ({'reused' if args.reuse else 'created afresh'})…", flush=True)
    prepare_database(args.database, args.reuse)
    roles = accounts_per_role(args.users)
    subprocess.run(  # noqa: S603 - our own script
        [python, str(ROOT / "bench" / "load_data.py"), "--sales", str(roles["sales"]),
         "--support", str(roles["support"]), "--managers", str(roles["manager"]),
         "--volume", str(args.volume)],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    if static_is_current():
        print("static files: collected earlier, unchanged since")
    else:
        print("collectstatic (compressing every file: minutes)…", flush=True)
        collect = [python, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(collect, cwd=ROOT, env=env, check=True)  # noqa: S603
    gunicorn = [python, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    # Its own control socket: not the default one any other gunicorn here uses.
    gunicorn += ["--control-socket", str(VAR / "gunicorn.ctl")]
    if args.web_workers:
        gunicorn += ["--workers", str(args.web_workers)]
    if args.threads:
        gunicorn += ["--threads", str(args.threads)]
    services = Services(env)
    try:
        redis = shutil.which("redis-server") if not args.no_redis else None
        if redis:
            # As the README's production: the cache (failed-login limits shared by the
            # app's processes) and cached sessions in Redis. Nothing kept on disk.
            redis_port = free_port()
            services.start(
                "redis",
                [redis, "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
                 "--appendonly", "no", "--dir", str(VAR)],
            )  # fmt: skip
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            wait_for_redis(services, redis_port)
        args.redis = bool(redis)
        services.start("gunicorn", gunicorn)
        for number in (1, 2):
            services.start(f"worker-{number}", [python, "manage.py", "worker"])
        wait_until_healthy(services, base)
        print(f"{base} is up (logs in {VAR.relative_to(ROOT)}/); {args.users} users starting…")
        passed = run_load(args, base, services)
        services.check_running()
    except KeyboardInterrupt:
        passed = None
    finally:
        services.stop()
    if passed is None:
        sys.exit("interrupted; the servers are stopped")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
