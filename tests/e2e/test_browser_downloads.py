"""Downloads never vanish: four tabs of one class, each downloading the GIF and the ZIP of
stills 20 times, all at once; every file must arrive whole."""

import io
import time
import zipfile

from PIL import Image
from playwright.sync_api import expect
from relunet_page import (
    EXCEPTION,
    EXPANDER_TITLE,
    expect_offered,
    expect_stage_drawn,
    settle_after_setting,
    wait_until_idle,
)

TABS, ROUNDS = 4, 20


def make_both(page, app_url) -> tuple:
    """Open the page, make a quick GIF (no in-between frames) and the stills; the two download buttons."""
    page.goto(app_url + "/?w4=2.65")
    expect_stage_drawn(page, 1)
    page.locator(EXPANDER_TITLE, has_text="Export for slides").click()
    expect(page.get_by_role("button", name="Make the GIF")).to_be_visible()
    wait_until_idle(page)
    tween = page.get_by_role("spinbutton", name="In-between frames")
    tween.fill("0")
    tween.press("Enter")
    settle_after_setting(page)
    page.get_by_role("button", name="Make the GIF").click()
    gif = page.locator(".st-key-download_gif").get_by_role("button", name="Download GIF")
    expect_offered(page, gif, "the GIF")
    page.get_by_role("button", name="Make the PNG stills").click()
    archive = page.locator(".st-key-download_zip").get_by_role("button")
    expect_offered(page, archive, "the ZIP of stills")
    expect(page.locator(EXCEPTION)).to_have_count(0)
    return gif, archive


def test_every_download_from_four_tabs_arrives(browser, app_url, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        pages = [context.new_page() for _ in range(TABS)]
        buttons = [make_both(page, app_url) for page in pages]
        arrived = []
        for page in pages:
            page.on("download", lambda download: arrived.append(download))
        for _ in range(ROUNDS):  # every tab clicks both, without waiting for any download
            for page, (gif, archive) in zip(pages, buttons):
                # The tab clicked in is in front, as it is for a user: a background tab's animation frames
                # are throttled to about one a second, and a click waits for two of them.
                page.bring_to_front()
                gif.click()
                archive.click()
        deadline = time.monotonic() + 120
        while len(arrived) < TABS * ROUNDS * 2 and time.monotonic() < deadline:
            pages[0].wait_for_timeout(100)
        assert len(arrived) == TABS * ROUNDS * 2
        for download in arrived:
            assert download.failure() is None, download.failure()
            data = open(download.path(), "rb").read()
            if download.suggested_filename.endswith(".gif"):
                assert Image.open(io.BytesIO(data)).n_frames >= 7
            else:
                assert download.suggested_filename.endswith(".zip")
                assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 7
    finally:
        context.close()
