"""The export panel in Chromium: make the GIF, download it, read it back."""

from PIL import Image, ImageSequence
from playwright.sync_api import expect
from relunet_page import EXCEPTION, EXPANDER_TITLE, expect_offered, expect_stage_drawn, settle_after_setting


def test_gif_export_downloads_a_looping_seven_stage_animation(page, app_url, tmp_path):
    page.goto(app_url + "/?w4=2.6")
    expect_stage_drawn(page, 1)
    panel = page.locator(EXPANDER_TITLE, has_text="Export for slides")
    expect(panel, "the page has no 'Export for slides' panel").to_be_visible(timeout=5_000)
    panel.click()
    make_button = page.get_by_role("button", name="Make the GIF")
    expect(make_button).to_be_visible()
    pick_smallest_settings(page)
    settle_after_setting(page)
    make_button.click()
    download_button = page.locator(".st-key-download_gif").get_by_role("button", name="Download GIF")
    expect_offered(page, download_button, "the GIF", timeout_ms=90_000)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    with page.expect_download() as download_info:
        download_button.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".gif")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    with Image.open(saved) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames >= 7
        assert gif.info["loop"] == 0  # loops forever
        sizes = {frame.size for frame in ImageSequence.Iterator(gif)}
    assert len(sizes) == 1


def pick_smallest_settings(page) -> None:
    """The smallest frame size and no in-between frames, when the panel offers them."""
    size = page.get_by_role("combobox", name="Frame size")
    if size.count():
        open_dropdown(size)
        smallest = min(page.get_by_role("option").all_inner_texts(), key=_pixel_count)
        page.get_by_role("option", name=smallest, exact=True).click()
        expect(size).to_have_value(smallest)
    tween = page.get_by_role("spinbutton", name="In-between frames")
    if tween.count():
        tween.fill("0")
        tween.press("Enter")


def open_dropdown(combobox) -> None:
    # A click that lands while the expander is still opening can leave the list shut; click again.
    for _ in range(3):
        combobox.click()
        try:
            expect(combobox).to_have_attribute("aria-expanded", "true", timeout=2_000)
            return
        except AssertionError:
            continue
    expect(combobox).to_have_attribute("aria-expanded", "true")


def _pixel_count(label: str) -> int:
    numbers = [int(n) for n in "".join(c if c.isdigit() else " " for c in label).split()]
    return numbers[0] * numbers[1] if len(numbers) >= 2 else 10**9
