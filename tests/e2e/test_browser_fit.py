"""The fit page in Chromium: a shared /fit link, stepping, Play, bad links, the
divergent learning rate, and moving between the two pages."""

import re
import time
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from relunet_page import ALERT, CHART, EXCEPTION, drawing, wait_until_idle

from relunet.fit_state import FitState
from relunet.fit_view import fit_view


def fit_heading(step: int, **settings) -> str:
    return fit_view(FitState(step=step, **settings)).heading


def expect_fit_step(page, step: int, **settings) -> None:
    """The heading of this step, and both charts drawn with their marks."""
    expect(page.get_by_role("heading", name=fit_heading(step, **settings), exact=True)).to_be_visible()
    wait_until_idle(page)
    charts = page.locator(CHART)
    expect(charts).to_have_count(2)
    for index in range(2):
        charts.nth(index).locator(".mark-line path[d]").first.wait_for()
        chart = drawing(charts.nth(index))
        assert chart["width"] > 100 and chart["height"] > 100 and chart["lines"] >= 1, chart
    expect(page.locator(EXCEPTION)).to_have_count(0)


def test_a_shared_fit_link_opens_its_step_and_next_moves_the_address_bar_on(page, app_url):
    page.goto(app_url + "/fit?step=12&lr=0.1&b3start=0")
    expect_fit_step(page, 12)
    expect(page).to_have_url(app_url + "/fit?step=12")  # defaults are left out
    expect(page.locator(f'{CHART}[aria-label^="Loss chart"]')).to_have_attribute(
        "aria-label", re.compile(r"After step 12, b3 = -14\.91")
    )
    page.get_by_role("button", name="Next").click()
    expect_fit_step(page, 13)
    expect(page).to_have_url(re.compile(r"/fit\?step=13$"))
    page.keyboard.press("ArrowLeft")  # the arrow keys step, as on the seven-stage page
    expect_fit_step(page, 12)


def test_end_shows_b3_at_minus_16_and_says_it_is_done(page, app_url):
    page.goto(app_url + "/fit")
    expect_fit_step(page, 0)
    page.get_by_role("button", name="End").click()
    expect_fit_step(page, 34)
    expect(page.locator(ALERT)).to_contain_text("after step 34, at b3 = -16.0019")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()


def test_play_steps_on_by_itself_until_paused(page, app_url):
    page.goto(app_url + "/fit")
    expect_fit_step(page, 0)
    page.get_by_role("button", name="Play").click()
    # Some step past 2 (a busy machine may show several at once, so no exact one is waited for).
    playing_on = re.compile(r"^Step ([3-9]|[1-3]\d) of 34 · ")
    expect(page.get_by_role("heading", name=playing_on)).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    wait_until_idle(page)
    shown = page.get_by_role("heading", level=3).first.inner_text()
    time.sleep(2)  # several play intervals: nothing may move now
    assert page.get_by_role("heading", level=3).first.inner_text() == shown


@pytest.mark.parametrize(
    ("setting", "value"),
    [("step", "abc"), ("lr", "nan"), ("fit", "<script>alert(1)</script>"), ("seed", "1" * 5000)],
    ids=["step-text", "lr-nan", "fit-script", "seed-5000-chars"],
)
def test_a_bad_fit_link_warns_and_runs_nothing(page, app_url, browser_log, setting, value):
    page.goto(f"{app_url}/fit?{setting}={quote(value)}")
    expect_fit_step(page, 0)
    alert = page.locator(ALERT)
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(f"Ignored {setting} from the link")
    assert browser_log.dialogs == []
    body = page.locator("body").inner_text()
    assert "alert(" not in body and "11111111111111111111" not in body
    expect(page).to_have_url(re.compile(r"/fit$"))


def test_a_divergent_learning_rate_is_shown_and_said_to_diverge(page, app_url):
    page.goto(app_url + "/fit?lr=1.1")
    expect_fit_step(page, 0, lr=1.1)
    expect(page.locator(ALERT).filter(has_text="diverges")).to_have_count(1)
    page.get_by_role("button", name="End").click()
    expect_fit_step(page, 1, lr=1.1)
    expect(page.locator(ALERT).filter(has_text="dead ReLU")).to_have_count(1)


def test_the_two_pages_are_one_click_apart_and_share_the_weights(page, app_url):
    page.goto(app_url + "/?w4=3")
    expect(page.get_by_role("heading", name=re.compile("^Stage 1 of 7"))).to_be_visible()
    page.get_by_role("link", name="Fit the bias").click()
    expect(page).to_have_url(re.compile(r"/fit"))
    expect(page.get_by_text("w4 = 3.00")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Step 0 of \d+ · b3 = 0\.0000"))).to_be_visible()
    page.get_by_role("link", name="Seven stages").click()
    expect(page.get_by_role("heading", name=re.compile("^Stage 1 of 7"))).to_be_visible()
    expect(page.locator(".st-key-w4 input")).to_have_value("3.00")
