"""A manager builds a role in the Persian role editor with the keyboard, on a phone-sized
screen and on a laptop: modules, plain permission names, «همه‌ی این بخش»."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from peyvand.accounts import permissions as registry
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def finance_keys() -> set[str]:
    return {
        key for key, (module, _label) in registry.DESCRIBED.items() if module == registry.FINANCE
    }


def test_a_manager_builds_a_role_by_module_with_the_keyboard(page, log_in, manager, screenshots):
    log_in(manager)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/roles/new/")
    expect(page.locator("legend")).to_have_count(len(registry.MODULES))
    expect(page.get_by_role("group", name="مالی")).to_contain_text("دیدن چک‌ها")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshots / "role-editor-390.png", full_page=True)

    page.locator("#id_name").fill("حسابدار")
    # «همه‌ی این بخش» of مالی, by the keyboard: focus it and press Space.
    finance = page.get_by_role("group", name="مالی")
    finance.get_by_label("همه‌ی این بخش").focus()
    page.keyboard.press("Space")
    boxes = finance.locator("input[name=permissions]")
    expect(boxes).to_have_count(len(finance_keys()))
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_be_checked()
    # One permission off again: the module's box says «some».
    finance.get_by_label("حذف دریافت‌ها و پرداخت‌ها").press("Space")
    assert finance.get_by_label("همه‌ی این بخش").evaluate("box => box.indeterminate")
    # And one from another module, by Tab from the name field onwards.
    page.get_by_role("group", name="مخاطبین").get_by_label("دیدن مخاطبین").check()

    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=screenshots / "role-editor-1366.png", full_page=True)
    assert_accessible(page, "ویرایش نقش")
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("نقش «حسابدار» ذخیره شد.")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("حسابدار")

    role = Group.objects.get(name="حسابدار")
    held = {f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all()}
    assert held == (finance_keys() - {"finance.delete_receipt"}) | {"contacts.view_contact"}

    # Opened again, the module's box shows «some» at once.
    page.goto(f"/accounts/roles/{role.pk}/")
    box = page.get_by_role("group", name="مالی").get_by_label("همه‌ی این بخش")
    assert box.evaluate("box => box.indeterminate && !box.checked")
