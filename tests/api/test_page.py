"""The consultation page in a real headless Chromium (Debian's chromium and chromedriver, driven by Selenium)
against the real server: a consultation to its answer with the tiny model, streamed; a citation opened; the
graph drawn; an emergency shown unmistakably. The screenshot is kept (``WENZHEN_TEST_ARTIFACTS`` or the
test's temporary folder)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.api.test_server import served, settings_for
from wenzhen.agent.answer import DISCLAIMER
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.search import LiteratureSearcher


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    driver_path, chromium = shutil.which("chromedriver"), shutil.which("chromium")
    assert driver_path and chromium, "browser tests need Debian's chromium and chromium-driver (.ci/run: apt)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def say(browser: WebDriver, text: str) -> None:
    box = browser.find_element(By.ID, "input")
    box.send_keys(text)
    browser.find_element(By.ID, "send").click()


def last_reply(browser: WebDriver, wait: WebDriverWait[WebDriver], turn: int) -> str:
    """The kind of the assistant's ``turn``-th reply, once it has come."""
    selector = "#messages li[data-kind]"
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, selector)) >= turn)
    return str(browser.find_elements(By.CSS_SELECTOR, selector)[-1].get_attribute("data-kind"))


def test_a_consultation_on_the_page(
    browser: WebDriver,
    demo_graph: GraphStore,
    tiny_model_dir: Path,
    searcher: LiteratureSearcher,
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path)
    with served(demo_graph, tiny_model_dir, searcher, settings) as (_, url):
        browser.get(url)
        wait = WebDriverWait(browser, 60)
        # the title as the page's document has it; read once the browser reports it (it was once '' while
        # page_source already held it: a race, not a missing title)
        wait.until(lambda b: "问诊" in b.title, f"{browser.current_url}: no 问诊 in the title")
        say(browser, "我最近黄疸，还乏力")
        kind, turn = last_reply(browser, wait, 1), 1
        while kind == "question" and turn < 10:
            choices = browser.find_elements(By.CSS_SELECTOR, "#quick-replies button")
            assert choices, "a follow-up question comes with quick replies"
            labels = [c.text for c in choices]
            pick = next(label for label in ("没有", "没有了", "说不清") if label in labels)
            choices[labels.index(pick)].click()
            turn += 1
            kind = last_reply(browser, wait, turn)
        assert kind == "answer"
        answer = browser.find_elements(By.CSS_SELECTOR, "#messages li.assistant")[-1]
        assert int(answer.get_attribute("data-tokens") or 0) > 1  # it arrived token by token
        assert answer.text.strip().endswith(DISCLAIMER.strip())
        assert browser.find_elements(By.CSS_SELECTOR, "#candidates li .bar span")

        citation = browser.find_element(By.CSS_SELECTOR, "#citations details")
        citation.find_element(By.TAG_NAME, "summary").click()
        assert citation.get_attribute("open") is not None
        opened = browser.find_elements(By.CSS_SELECTOR, "#citations details[open] .passage")
        passages = [p.text for p in opened]
        assert any("demo_kg.jsonl:" in p for p in passages)

        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#graph g.node.disease"))
        assert browser.find_elements(By.CSS_SELECTOR, "#graph g.node.present")
        assert browser.find_elements(By.CSS_SELECTOR, "#graph line.has_symptom")
        artifacts = Path(os.environ.get("WENZHEN_TEST_ARTIFACTS", tmp_path))
        artifacts.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(artifacts / "consultation.png"))

        browser.find_element(By.ID, "restart").click()
        wait.until(lambda b: not b.find_elements(By.CSS_SELECTOR, "#messages li"))
        say(browser, "肝硬化好几年了，今天吐了好多血")
        assert last_reply(browser, wait, 1) == "emergency"
        notice = browser.find_element(By.CSS_SELECTOR, "#messages li.emergency")
        assert "120" in notice.text
        assert notice.value_of_css_property("background-color") == "rgba(185, 28, 28, 1)"  # red, unmissable
        assert browser.save_screenshot(str(artifacts / "emergency.png"))
