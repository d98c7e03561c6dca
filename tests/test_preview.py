"""`bookforge preview` in a real browser: Debian's chromium, headless, driven by Selenium."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("needs Debian's chromium and chromium-driver (apt install chromium chromium-driver)", allow_module_level=True)
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def wait_for(browser, condition) -> None:
    """Until ``condition(browser)`` holds, across the page's reloads (an element read mid-reload goes stale)."""
    WebDriverWait(browser, 30, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
                  ).until(condition)


@pytest.fixture
def project(tmp_path) -> Path:
    made = subprocess.run([sys.executable, "-m", "bookforge", "init", str(tmp_path / "book")], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    return tmp_path / "book"


def ctrl_c_stops() -> None:
    """Ctrl-C as a terminal gives it, even when the suite runs in the background of a shell (which ignores SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def server(project):
    """The preview on a free port; its address, read from what it prints."""
    with subprocess.Popen([sys.executable, "-u", "-m", "bookforge", "preview", "-C", str(project), "--port", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          preexec_fn=ctrl_c_stops) as process:
        try:
            seen, match = [], None
            for line in iter(process.stdout.readline, ""):  # up to the line that gives the address, or the end
                seen.append(line)
                if match := re.search(r"serving (http://127\.0\.0\.1:\d+/)", line):
                    break
            assert match, f"the preview did not start: {''.join(seen)}"
            yield match.group(1)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()  # the test fails on its own; it never hangs the suite
                process.communicate()
                raise


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def test_the_open_page_shows_a_changed_chapter_without_being_asked(project, server, browser):
    browser.get(server + "welcome.xhtml")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Welcome"
    assert "conversation that stays" in browser.find_element(By.TAG_NAME, "blockquote").text
    chapter = project / "chapters/welcome.html"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("that stays", "that stays and grows"), encoding="utf-8")
    wait_for(browser, lambda b: "that stays and grows" in b.find_element(By.TAG_NAME, "blockquote").text)


def test_a_broken_manifest_shows_its_diagnostics_in_the_page_and_the_server_lives_on(project, server, browser):
    browser.get(server + "welcome.xhtml?style=print")
    assert any("css/print.css" in (link.get_attribute("href") or "") for link in browser.find_elements(By.TAG_NAME, "link"))
    manifest = project / "book.yaml"
    good = manifest.read_text(encoding="utf-8")
    manifest.write_text(good + "title: [\n", encoding="utf-8")
    wait_for(browser, lambda b: "cannot be built" in b.find_element(By.TAG_NAME, "h1").text)
    wait_for(browser, lambda b: "book.yaml:" in b.find_element(By.TAG_NAME, "code").text)
    manifest.write_text(good, encoding="utf-8")
    wait_for(browser, lambda b: b.find_element(By.TAG_NAME, "h1").text == "Welcome")


def test_the_preview_listens_on_the_loopback_address_only(server):
    port = int(server.rsplit(":", 1)[1].strip("/"))
    assert urllib.request.urlopen(server + "__build", timeout=5).status == 200
    addresses = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
    if not addresses.strip():
        pytest.skip("ss cannot list listening sockets here")
    assert all(line.split()[3].startswith("127.0.0.1:") for line in addresses.strip().splitlines())
