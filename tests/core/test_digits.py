"""The one display rule for digits and direction (core.digits) and the input side: every
form reads typed digits as Latin."""

import time

import pytest
from django import forms

from peyvand.core.digits import (
    LRI,
    PDI,
    isolate_ltr_runs,
    localize_html,
    localize_sms,
    localize_text,
)


def iso(text: str) -> str:
    return f"{LRI}{text}{PDI}"


# --- text nodes ----------------------------------------------------------------------


def test_it_turns_digits_in_text_nodes_persian():
    assert localize_html("<p>خرید 20 دستگاه</p>") == "<p>خرید ۲۰ دستگاه</p>"


def test_it_leaves_a_plain_number_a_date_and_an_amount_without_isolates():
    # An amount's thousands commas read as the Persian separator; a comma that does not
    # group thousands (3,14 or a list 1,2) stays.
    html = "<td>۲۰ دستگاه در 1405/09/13 به مبلغ 690,000,000 ریال ساعت 10:30، 3,14 و 1,2</td>"
    assert (
        localize_html(html)
        == "<td>۲۰ دستگاه در ۱۴۰۵/۰۹/۱۳ به مبلغ ۶۹۰٬۰۰۰٬۰۰۰ ریال ساعت ۱۰:۳۰، ۳,۱۴ و ۱,۲</td>"
    )


def test_it_isolates_a_phone_number_in_groups():
    html = "<li>تماس بی‌پاسخ از 0935 111 2233</li>"
    assert localize_html(html) == f"<li>تماس بی‌پاسخ از {iso('۰۹۳۵ ۱۱۱ ۲۲۳۳')}</li>"


def test_it_isolates_a_phone_number_already_in_persian_digits():
    html = "<li>تماس بی‌پاسخ از ۰۹۳۵ ۱۱۱ ۲۲۳۳.</li>"
    assert localize_html(html) == f"<li>تماس بی‌پاسخ از {iso('۰۹۳۵ ۱۱۱ ۲۲۳۳')}.</li>"


def test_it_isolates_a_number_with_its_country_code():
    assert localize_html("<td>+989127776543</td>") == f"<td>{iso('+۹۸۹۱۲۷۷۷۶۵۴۳')}</td>"
    assert localize_html("<td>+98 912 777 6543</td>") == f"<td>{iso('+۹۸ ۹۱۲ ۷۷۷ ۶۵۴۳')}</td>"


def test_it_isolates_ibans_and_codes_of_letters_and_digits():
    html = "<p>شبا IR12 3456 7890 1234 5678 9012 34 برای سرنخ L140500025 و REQ-1405-0008</p>"
    assert localize_html(html) == (
        f"<p>شبا {iso('IR۱۲ ۳۴۵۶ ۷۸۹۰ ۱۲۳۴ ۵۶۷۸ ۹۰۱۲ ۳۴')} برای سرنخ "
        f"{iso('L۱۴۰۵۰۰۰۲۵')} و {iso('REQ-۱۴۰۵-۰۰۰۸')}</p>"
    )


def test_it_leaves_latin_words_and_short_number_pairs_alone():
    html = "<p>Vazirmatn و ۲۰ ۳۰ و 021-88776655</p>"
    assert localize_html(html) == "<p>Vazirmatn و ۲۰ ۳۰ و ۰۲۱-۸۸۷۷۶۶۵۵</p>"


def test_it_does_not_isolate_inside_bdi_or_dir_ltr():
    html = '<bdi>0912 345 6789</bdi><span class="x" dir="ltr">+98 912 345 6789 <b>1</b></span>'
    assert localize_html(html) == (
        '<bdi>۰۹۱۲ ۳۴۵ ۶۷۸۹</bdi><span class="x" dir="ltr">+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹ <b>۱</b></span>'
    )


def test_it_keeps_urls_emails_and_entities_as_they_are():
    html = "<p>به https://x.example/a/12?b=3 یا www.x.example/4 یا ali2@x.example &#39;5&#x27;</p>"
    assert localize_html(html) == (
        "<p>به https://x.example/a/12?b=3 یا www.x.example/4 یا ali2@x.example &#39;۵&#x27;</p>"
    )


def test_it_leaves_script_style_pre_code_and_comments():
    html = (
        "<script>var a = 12;</script><style>.a{width:12px}</style><pre>1 2</pre>"
        "<code>34</code><!-- 56 --><p>7</p>"
    )
    assert localize_html(html) == html.replace("<p>7</p>", "<p>۷</p>")


def test_it_leaves_everything_inside_an_element_marked_data_latin():
    html = '<div data-latin><div><span>12</span></div><input value="3"></div><div>4</div>'
    assert localize_html(html) == (
        '<div data-latin><div><span>12</span></div><input value="3"></div><div>۴</div>'
    )


def test_a_data_latin_element_inside_an_ltr_one_is_still_left_alone():
    html = '<span dir="ltr">1<span data-latin>2</span>3</span>4'
    assert localize_html(html) == '<span dir="ltr">۱<span data-latin>2</span>۳</span>۴'


# --- attributes ----------------------------------------------------------------------


def test_it_turns_the_values_of_visible_text_inputs_persian():
    html = (
        '<input type="text" name="price" value="690,000,000">'
        '<input name="qty" value="20"><input type="tel" value="09121234567">'
        '<input type="search" value="12">'
    )
    assert localize_html(html) == (
        '<input type="text" name="price" value="۶۹۰,۰۰۰,۰۰۰">'
        '<input name="qty" value="۲۰"><input type="tel" value="۰۹۱۲۱۲۳۴۵۶۷">'
        '<input type="search" value="۱۲">'
    )


def test_it_leaves_values_the_browser_or_server_needs():
    html = (
        '<input type="hidden" name="version" value="12"><input type="password" value="1">'
        '<input type="email" value="a1@b.example"><input type="url" value="https://x/1">'
        '<input type="number" value="3"><input type="date" value="2026-12-06">'
        '<input type="checkbox" value="4" data-type="text"><button value="5">ذخیره</button>'
        '<option value="6">گزینه 6</option><input data-latin value="7">'
    )
    assert localize_html(html) == html.replace("گزینه 6", "گزینه ۶")


def test_it_turns_the_attributes_people_read_persian_and_no_others():
    html = (
        '<a href="/contacts/12/" title="مخاطب 12" aria-label="12 مورد" data-id="12" '
        'hx-get="/x/12/">x</a><img alt="عکس 3" src="/m/3.png"><input placeholder="مثلاً 0912">'
        '<option label="5 روز" value="5">5 روز</option>'
        '<button data-confirm="تا 500 ردیف انجام شود؟" data-limit="500">x</button>'
    )
    assert localize_html(html) == (
        '<a href="/contacts/12/" title="مخاطب ۱۲" aria-label="۱۲ مورد" data-id="12" '
        'hx-get="/x/12/">x</a><img alt="عکس ۳" src="/m/3.png"><input placeholder="مثلاً ۰۹۱۲">'
        '<option label="۵ روز" value="5">۵ روز</option>'
        '<button data-confirm="تا ۵۰۰ ردیف انجام شود؟" data-limit="500">x</button>'
    )


def test_an_attribute_value_holding_a_greater_than_sign_does_not_end_the_tag():
    html = '<div hx-vals=\'{"a": "1>2"}\' title="3">4</div>'
    assert localize_html(html) == '<div hx-vals=\'{"a": "1>2"}\' title="۳">۴</div>'


def test_a_textarea_gets_persian_digits_but_no_isolates():
    html = '<textarea name="d" rows="3">خرید 20 دستگاه از 0912 345 6789</textarea>'
    assert localize_html(html) == (
        '<textarea name="d" rows="3">خرید ۲۰ دستگاه از ۰۹۱۲ ۳۴۵ ۶۷۸۹</textarea>'
    )
    kept = '<textarea data-latin rows="4">MIIB1</textarea>'
    assert localize_html(kept) == kept


@pytest.mark.parametrize(
    "html",
    [
        "<p>تماس از 0935 111 2233 و +989127776543 و IR12 3456 7890 1234 5678 9012 34</p>",
        '<input value="12"><textarea>3</textarea><span title="4">L1405</span>',
        "<p>۰۹۳۵ ۱۱۱ ۲۲۳۳ و ۱۴۰۵/۰۹/۱۳</p>",
    ],
)
def test_it_is_idempotent(html):
    once = localize_html(html)
    assert localize_html(once) == once


def test_an_htmx_fragment_is_handled_like_a_page():
    assert localize_html("<tr><td>12</td></tr>") == "<tr><td>۱۲</td></tr>"
    assert localize_html("12 مورد") == "۱۲ مورد"


# --- plain text ------------------------------------------------------------------------


def test_plain_text_gets_persian_digits_outside_urls_and_isolated_phones():
    text = "پیش فاکتور 1405/00002 را در https://x.example/q/12 ببینید؛ تلفن 0912 345 6789"
    assert localize_text(text) == (
        "پیش فاکتور ۱۴۰۵/۰۰۰۰۲ را در https://x.example/q/12 ببینید؛ تلفن " + iso("۰۹۱۲ ۳۴۵ ۶۷۸۹")
    )
    assert localize_text(localize_text(text)) == localize_text(text)


def test_isolating_twice_isolates_once():
    once = isolate_ltr_runs("IR12 3456 7890 1234 5678 9012 34")
    assert isolate_ltr_runs(once) == once


def test_an_sms_in_persian_gets_persian_digits_but_no_isolates():
    assert localize_sms("کد پیگیری 12345 تلفن 0912 345 6789") == (
        "کد پیگیری ۱۲۳۴۵ تلفن ۰۹۱۲ ۳۴۵ ۶۷۸۹"
    )


def test_an_sms_in_latin_letters_and_a_sign_in_code_keep_their_digits():
    assert localize_sms("Code 12345") == "Code 12345"
    assert localize_sms("کد ورود شما: 482913", one_time_code=True) == "کد ورود شما: 482913"


# --- timing ----------------------------------------------------------------------------


def test_a_megabyte_page_takes_well_under_a_second():
    row = (
        '<tr><td><a href="/sales/leads/12345/" title="سرنخ 12345">L140500025</a></td>'
        '<td>0935 111 2233</td><td>1405/09/13</td><td class="text-end">690,000,000</td>'
        '<td><input type="text" name="q-12" value="20"></td></tr>\n'
    )
    page = "<table>" + row * (1_000_000 // len(row)) + "</table>"
    started = time.process_time()
    localize_html(page)
    assert time.process_time() - started < 1.5  # about 0.3 s of CPU on the dev machine


# --- input: every form reads Latin digits ---------------------------------------------


class LineForm(forms.Form):
    description = forms.CharField()
    quantity = forms.IntegerField()
    price = forms.DecimalField()
    password = forms.CharField(widget=forms.PasswordInput)
    key = forms.CharField(widget=forms.Textarea(attrs={"data-latin": True}))
    tags = forms.MultipleChoiceField(choices=[("1", "یک"), ("2", "دو")])


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("خرید ۲۰ دستگاه", "خرید 20 دستگاه"), ("خرید ٢٠ دستگاه", "خرید 20 دستگاه"), ("20", "20")],
)
def test_every_form_stores_typed_digits_latin(typed, stored):
    form = LineForm(
        data={
            "description": typed,
            "quantity": "۲۰",
            "price": "۶۹٠.۵",
            "password": "رمز ۱۲۳٤",
            "key": "۱٢3",
            "tags": ["۱", "٢"],
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["description"] == stored
    assert form.cleaned_data["quantity"] == 20
    assert form.cleaned_data["tags"] == ["1", "2"]


def test_a_password_and_a_field_marked_data_latin_keep_what_was_typed():
    form = LineForm(
        data={
            "description": "x",
            "quantity": "1",
            "price": "1",
            "password": "رمز ۱۲۳٤",
            "key": "۱٢3",
            "tags": ["1"],
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["password"] == "رمز ۱۲۳٤"
    assert form.cleaned_data["key"] == "۱٢3"


def test_a_form_sent_back_with_persian_digits_has_not_changed():
    form = LineForm(
        initial={"description": "خرید 20 دستگاه", "quantity": 20},
        data={"description": "خرید ۲۰ دستگاه", "quantity": "۲۰"},
    )
    assert "description" not in form.changed_data
    assert "quantity" not in form.changed_data
