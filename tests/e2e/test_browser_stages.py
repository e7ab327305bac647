"""Stepping through the seven stages in Chromium: headings and drawn charts."""

from playwright.sync_api import expect
from relunet_page import expect_stage_drawn

from relunet.stages import STAGE_COUNT


def test_next_steps_through_every_stage_and_draws_its_charts(page, app_url):
    page.goto(app_url + "/")
    expect_stage_drawn(page, 1)
    expect(page.get_by_role("button", name="Back")).to_be_disabled()
    next_button = page.get_by_role("button", name="Next")
    for number in range(2, STAGE_COUNT + 1):
        next_button.click()
        expect_stage_drawn(page, number)
        expect(page).to_have_url(f"{app_url}/?stage={number}")
    expect(next_button).to_be_disabled()


def test_stage_numbers_open_any_stage(page, app_url):
    page.goto(app_url + "/")
    expect_stage_drawn(page, 1)
    for number in (7, 3, 6, 2, 5, 4, 1):
        page.get_by_role("button", name=str(number), exact=True).click()
        expect_stage_drawn(page, number)


def test_arrow_keys_step_like_a_slide_program(page, app_url):
    page.goto(app_url + "/?stage=3")
    expect_stage_drawn(page, 3)
    page.keyboard.press("ArrowRight")
    expect_stage_drawn(page, 4)
    for number in (3, 2):
        page.keyboard.press("ArrowLeft")
        expect_stage_drawn(page, number)


def test_quick_presses_are_never_lost(page, app_url):
    """A presenter's clicker can send two presses faster than a rerun: both must count."""
    page.goto(app_url + "/?stage=5")
    expect_stage_drawn(page, 5)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect_stage_drawn(page, 3)
    expect(page).to_have_url(f"{app_url}/?stage=3")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    expect_stage_drawn(page, 5)
