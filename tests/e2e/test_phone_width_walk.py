"""Every page the access walk fills (tests/test_access_walk.py), with the demo's records,
in a real Chromium at a phone's 390×844 and at 360×844: the page does not scroll
sideways; no visible link, button or field sticks out of the screen (one inside a box
that scrolls sideways, a wide table's, is reached by a swipe); and every button, field,
menu entry, tab, page link, close button and list tick box is a thumb's target, 44 px or
more each way.
Each page is read once per width, by the first of the manager, the sales rep, support,
finance, the portal's customer and the signed-out visitor who may open it."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.test import Client

from tests.e2e.test_accessibility_journey import MIGRATION_DATA
from tests.test_access_walk import CUSTOMER, portal_sign_in, rolled_back, seeded_demo
from tests.test_locale_crawl import pages

pytestmark = [pytest.mark.e2e, pytest.mark.rendering, pytest.mark.django_db(transaction=True)]

# The phone and the narrowest common one.
WIDTHS = (390, 360)
READERS = ["manager", "sales", "support", "finance", CUSTOMER, "anonymous"]

# What sticks out: the page's width, and each visible control whose box leaves the
# screen, unless a box around it scrolls sideways (a swipe reaches it) or it is off
# screen on purpose (a closed menu, the skip link until focused).
CHECK = """() => {
  const width = document.documentElement.clientWidth;
  const cut = [];
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, [role=button]';
  const AWAY = '.offcanvas-lg:not(.show), .offcanvas:not(.show), .dropdown-menu:not(.show), '
    + '.visually-hidden-focusable, [hidden], .modal:not(.show)';
  for (const element of document.querySelectorAll(controls)) {
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    if (box.left >= -1 && box.right <= width + 1) continue;
    const style = getComputedStyle(element);
    // Hidden on purpose: Tom Select moves its search box far off once a choice is made.
    if (style.visibility === 'hidden' || style.opacity === '0') continue;
    if (element.closest(AWAY)) continue;
    let parent = element.parentElement, swiped = false;
    while (parent && parent !== document.body) {
      const overflow = getComputedStyle(parent).overflowX;
      const scrolls = overflow === 'auto' || overflow === 'scroll';
      if (scrolls && parent.scrollWidth > parent.clientWidth) { swiped = true; break; }
      parent = parent.parentElement;
    }
    if (!swiped) cut.push(element.outerHTML.slice(0, 140));
  }
  // A thumb's target: each visible button, field, menu entry, tab, page link, close
  // button and list tick box (its label) at least 44 px both ways (app.css); a link
  // inside text is text.
  const small = [];
  const targets = '.btn, .form-control, .form-select, .nav-link, .page-link, .dropdown-item, '
    + '.btn-close, .ts-control, .tick-target';
  // A fragment fetched into a page (a follow-up entry row) has no styles of its own.
  const styled = document.styleSheets.length > 0;
  for (const element of styled ? document.querySelectorAll(targets) : []) {
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height || element.closest(AWAY)) continue;
    // Stand-ins for a widget drawn over them (a file button, Tom Select) take no tap.
    if (element.matches('.visually-hidden, .ts-hidden-accessible')) continue;
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden' || style.opacity === '0') continue;
    if (Math.min(box.width, box.height) < 43.5) {
      const size = `${Math.round(box.width)}×${Math.round(box.height)} `;
      small.push(size + element.outerHTML.slice(0, 120));
    }
  }
  return {width: document.documentElement.scrollWidth, cut: cut, small: small};
}"""


def client_of(reader: str, demo) -> Client:
    client = Client(raise_request_exception=False)
    if reader == CUSTOMER:
        assert portal_sign_in(client, demo) == []
    elif reader != "anonymous":
        client.force_login(demo.user(reader))
    return client


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_a_phone(browser, live_server, settings, width):
    phone = {"width": width, "height": 844}
    for module, loader in MIGRATION_DATA:
        getattr(import_module(module), loader)(django_apps, None)
    demo = seeded_demo(settings)
    clients = {reader: client_of(reader, demo) for reader in READERS}
    # Each HTML page to the first reader who may open it.
    assigned: dict[str, list[str]] = {reader: [] for reader in READERS}
    for _name, url in pages(demo):
        for reader in READERS:
            with rolled_back():
                response = clients[reader].get(url)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                assigned[reader].append(url)
                break
    problems, read = [], 0
    for reader, urls in assigned.items():
        context = browser.new_context(
            base_url=live_server.url, viewport=phone, locale="fa-IR", timezone_id="Asia/Tehran"
        )
        cookie = clients[reader].cookies.get(django_settings.SESSION_COOKIE_NAME)
        if cookie is not None:
            context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
            )
        page = context.new_page()
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("load")
            found = page.evaluate(CHECK)
            read += 1
            if found["width"] > width:
                problems.append(f"{reader} {url}: {found['width']} px wide")
            problems += [f"{reader} {url}: cut off: {html}" for html in found["cut"][:3]]
            problems += [f"{reader} {url}: under 44 px: {html}" for html in found["small"][:3]]
        context.close()
    assert read > 150, read
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
