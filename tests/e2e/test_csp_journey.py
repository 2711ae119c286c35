"""What the Content-Security-Policy moved out of the templates still works in a real
browser: confirm-before-delete (data-confirm), filters that send themselves on a choice
(data-autosubmit), a tree's indentation and a progress bar's width (classes and
data-width instead of style="…"). The shared fixture fails any page that breaks the
policy."""

import re

import pytest
from playwright.sync_api import expect

from peyvand.contacts.models import Contact, Region
from peyvand.core.trees import node_create
from tests.factories import ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_deleting_a_contact_asks_first_in_persian(page, log_in, manager):
    contact = ContactFactory(owner=manager, name="شرکت آزمون")
    log_in(manager)
    page.goto(contact.get_absolute_url())
    questions = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="حذف").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact.pk}/$"))
    assert questions == ["«شرکت آزمون» به سطل بازیافت برود؟"]
    assert Contact.objects.filter(pk=contact.pk).exists()

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="حذف").click()
    expect(page).not_to_have_url(re.compile(rf"/contacts/{contact.pk}/$"))
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_filter_sends_itself_when_a_status_is_chosen(page, log_in, manager):
    log_in(manager)
    page.goto("/sales/quotes/")
    page.locator("#quote-filters select[name=status]").select_option("accepted")
    expect(page).to_have_url(re.compile(r"status=accepted"))
    expect(page.locator("#quote-filters select[name=status]")).to_have_value("accepted")


def test_a_tree_indents_each_level(page, log_in, manager):
    province = node_create(node=Region(name="تهران"))
    city = node_create(node=Region(name="شمیرانات", parent=province))
    node_create(node=Region(name="لواسان", parent=city))
    log_in(manager)
    page.goto("/settings/trees/regions/")
    indents = [
        page.locator("li.list-group-item", has_text=name).evaluate(
            "row => parseFloat(getComputedStyle(row).paddingRight)"
        )
        for name in ("تهران", "شمیرانات", "لواسان")
    ]
    assert indents[0] < indents[1] < indents[2]
    assert indents[1] - indents[0] == pytest.approx(indents[2] - indents[1])


def test_a_progress_bar_takes_its_width_from_data_width(page, log_in, manager):
    log_in(manager)
    page.goto("/")
    # A bar as the import and export pages write it, swapped in by htmx as their polls do.
    page.evaluate(
        """htmx.swap("main", '<div id="bar-box" class="progress"><div class="progress-bar"'
            + ' data-width="40"></div></div>', {swapStyle: "beforeend"})"""
    )
    bar = page.locator("#bar-box .progress-bar")
    ratio = bar.evaluate(
        "bar => bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width"
    )
    assert ratio == pytest.approx(0.4, abs=0.01)


def test_the_api_docs_load_for_a_visitor_without_breaking_the_policy(page):
    """/api/v1/docs is public (README): Swagger UI's own files load under the strict
    policy and it lists the operations from openapi.json."""
    page.goto("/api/v1/docs")
    expect(page).to_have_url(re.compile(r"/api/v1/docs$"))  # no detour to the login page
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Peyvand API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/contacts").first).to_be_visible()
