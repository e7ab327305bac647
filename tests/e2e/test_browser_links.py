"""Shared links in Chromium: weights applied, edits followed, bad links harmless."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from relunet_page import ALERT, EXCEPTION, diagram, expect_stage_drawn, number_input


def test_shared_link_opens_its_stage_with_its_weights(page, app_url):
    page.goto(app_url + "/?stage=7&w4=3")
    expect_stage_drawn(page, 7)
    expect(number_input(page, "w4")).to_have_value("3.00")
    expect(number_input(page, "w1")).to_have_value("1.70")  # untouched weights keep the article's values
    expect(page.get_by_text("The final curve peaks at 2.90 at dosage 0.50")).to_be_visible()
    expect(diagram(page)).to_have_attribute("aria-label", re.compile(r"w4 = 3\.00"))
    # No warning: the only note is the line naming what differs from the article.
    expect(page.locator(ALERT)).to_have_count(1)
    expect(page.locator(ALERT)).to_contain_text("Changed from the article: w4 = 3.00 (article: 2.70)")
    expect(page).to_have_url(app_url + "/?stage=7&w4=3")


def test_editing_a_weight_puts_it_in_the_address_bar(page, app_url):
    page.goto(app_url + "/?stage=2")
    expect_stage_drawn(page, 2)
    w1 = number_input(page, "w1")
    w1.fill("2.5")
    w1.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]w1=2\.5(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]stage=2(&|$)"))
    expect(diagram(page)).to_have_attribute("aria-label", re.compile(r"w1 = 2\.50"))
    expect_stage_drawn(page, 2)
    expect(w1).to_have_value("2.50")


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("stage", "99"),
        ("w1", "nan"),
        ("act", "<script>alert(1)</script>"),
        ("w2", "<img src=x onerror=alert(2)>"),
        ("w3", "1" * 5000),
    ],
    ids=["stage-out-of-range", "nan-weight", "script-tag", "img-onerror", "5000-chars"],
)
def test_bad_link_warns_names_the_setting_and_runs_nothing(page, app_url, browser_log, setting, value):
    page.goto(f"{app_url}/?{setting}={quote(value)}")
    expect_stage_drawn(page, 1)  # the page still works, from the defaults
    alert = page.locator(ALERT)
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(f"Ignored {setting} from the link")
    expect(alert.locator("code")).to_have_text(setting)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    # Nothing the link carried was run or rendered as HTML, nor echoed back as text.
    assert browser_log.dialogs == []
    assert page.locator("script:not([src])").evaluate_all(
        "scripts => scripts.filter(s => s.textContent.includes('alert(')).length"
    ) == 0
    expect(page.locator("img[src='x']")).to_have_count(0)
    body_text = page.locator("body").inner_text()
    assert "alert(" not in body_text and "11111111111111111111" not in body_text
    # The bad value is dropped from the address bar, so re-sharing it does not pass it on.
    expect(page).to_have_url(re.compile(r"^[^?]*/?$"))
