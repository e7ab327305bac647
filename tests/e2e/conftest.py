"""Fixtures for the browser tests: one real server per session, one browser,
a fresh context per test, console errors fail the test, screenshots on failure."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect, sync_playwright
from streamlit_server import MISSING_CHROMIUM, ROOT, StreamlitServer, chromium_available, chromium_path, launch_options

ARTIFACTS = ROOT / "test-artifacts"
# The first run of the page imports the chart stack; a busy CI machine needs more than the 5 s default.
expect.set_options(timeout=30_000)


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if chromium_available(path):
        return path
    reason = f"{MISSING_CHROMIUM} [no executable at {path}]"
    if running_in_ci():
        pytest.fail(reason, pytrace=False)  # CI installs it, so a missing browser is a broken build
    pytest.skip(reason)


@pytest.fixture(scope="session")
def app_url(chromium, tmp_path_factory) -> str:
    with StreamlitServer(tmp_path_factory.mktemp("server") / "streamlit.log") as server:
        yield server.url


@pytest.fixture(scope="session")
def browser(chromium):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        yield browser
        browser.close()


@dataclass
class BrowserLog:
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(browser, app_url, browser_log, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("console", lambda message: _record_console(browser_log, message))
    page.on("pageerror", lambda error: browser_log.errors.append(f"uncaught: {error}"))
    page.on("dialog", lambda dialog: _record_dialog(browser_log, dialog))
    yield page
    if browser_log.errors:
        save_screenshot(page, request.node.nodeid + "-console")
    context.close()
    assert not browser_log.errors, "browser console errors:\n" + "\n".join(browser_log.errors)


# Opened directly at a page's own path (/fit), Streamlit's frontend first probes /fit/_stcore/health and
# /fit/_stcore/host-config, gets 404, then uses the root (streamlit/streamlit#7074). Only those two are let pass.
_SUBPAGE_PROBE = re.compile(r"/[\w-]+/_stcore/(health|host-config)$")


def _record_console(log: BrowserLog, message) -> None:
    # Every other error counts: none of this harness's own actions log to the console.
    if message.type == "error" and not _SUBPAGE_PROBE.search(message.location.get("url", "")):
        log.errors.append(f"console.error: {message.text} ({message.location.get('url', '')})")


def _record_dialog(log: BrowserLog, dialog) -> None:
    log.dialogs.append(f"{dialog.type}: {dialog.message}")
    dialog.dismiss()


def save_screenshot(page, name: str) -> None:
    if page.is_closed():
        return
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".png")
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as problem:  # a screenshot must never hide the real failure
        print(f"could not save screenshot {path}: {problem}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "page" in item.funcargs:
        save_screenshot(item.funcargs["page"], item.nodeid)
