"""The web chat (``python -m orchestrator.web``, a real process) in a real headless Chromium, against the real
stack with the offline model: a message sent, its tool call approved with the page's button, the reply shown
with a tool result that holds markup, shown as text. And its API's answers to bad requests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as visible
from selenium.webdriver.support.wait import WebDriverWait

from harness.chaos import tickets_titled
from harness.server import free_port
from harness.suite import Suite
from harness.workers import WorkerProcess
from shared.topology import load_topology
from tests.support.web_chat import WebChatProcess, headless_chromium, listening_addresses

PATIENCE_SECONDS = 20.0


@pytest.fixture(scope="module")
def web_chat(stack: Suite, orchestrator_worker: WorkerProcess) -> Iterator[WebChatProcess]:
    """The web chat on a free port, with no --host: as a person starts it."""
    server = WebChatProcess({**stack.base_env, "TEMPORAL_UI_URL": stack.state.ui_url}, free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    driver = headless_chromium()
    try:
        yield driver
    finally:
        driver.quit()


def shown(browser: webdriver.Chrome, css: str) -> WebElement:
    element: WebElement = WebDriverWait(browser, PATIENCE_SECONDS).until(
        visible.visibility_of_element_located((By.CSS_SELECTOR, css)), f"nothing visible matches {css}"
    )
    return element


@pytest.mark.timeout(180)
def test_a_call_approved_in_the_page_runs_and_its_result_holding_markup_is_shown_as_text(
    web_chat: WebChatProcess, browser: webdriver.Chrome, stack: Suite, ticket_db: Path, tmp_path: Path
) -> None:
    title = f"<script>window.pwned=1</script> printer {uuid.uuid4().hex[:6]}"
    browser.get(web_chat.url)
    browser.find_element(By.ID, "name").send_keys("Alice")
    browser.find_element(By.ID, "new-chat").click()
    chat_id = shown(browser, "#chat-id").text
    link = browser.find_element(By.ID, "temporal-link").get_attribute("href")
    namespace = load_topology().orchestrator.namespace
    assert link == f"{stack.state.ui_url}/namespaces/{namespace}/workflows/{chat_id}"

    browser.find_element(By.ID, "message").send_keys(f"Open a ticket titled '{title}' with high priority")
    browser.find_element(By.ID, "send").click()

    approval = shown(browser, ".approval")
    assert "Waiting for approval of it/create_ticket" in shown(browser, "#progress-state").text
    assert "it/create_ticket" in approval.text and "Alice" in approval.text
    assert title in approval.find_element(By.CSS_SELECTOR, "pre.json").text
    assert "sha256:" in approval.text
    browser.save_screenshot(str(tmp_path / "mid-approval.png"))
    approval.find_element(By.CSS_SELECTOR, "button.approve").click()

    call = shown(browser, ".reply:not(.waiting) .tool-call[data-tool='create_ticket']")
    result = call.find_element(By.XPATH, ".//dt[.='Result']/following-sibling::dd[1]/pre")
    assert result.is_displayed() and title in result.text
    assert "approved by Alice" in call.text
    assert browser.find_element(By.ID, "progress").is_displayed() is False
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 1, "a <script> from the data became markup"
    assert tickets_titled(ticket_db, title) == 1


def test_the_server_listens_on_127_0_0_1_only_by_default(web_chat: WebChatProcess) -> None:
    assert listening_addresses(web_chat.port) == {"127.0.0.1"}


def test_a_message_to_a_chat_that_does_not_exist_is_a_404_saying_so(web_chat: WebChatProcess) -> None:
    status, answer = web_chat.call("POST", "/api/chats/no-such-chat/messages", {"text": "Hello"})

    assert status == 404
    assert answer == {"error": "There is no chat 'no-such-chat' (or it has ended): start a new one."}


def test_an_empty_message_is_refused_with_a_422_saying_why(web_chat: WebChatProcess) -> None:
    _, chat = web_chat.call("POST", "/api/chats", {})

    status, answer = web_chat.call("POST", f"/api/chats/{chat['workflow_id']}/messages", {"text": "  "})

    assert status == 422
    assert answer == {"error": "The message is empty; say something."}


def test_a_body_that_is_not_json_is_a_400_saying_so(web_chat: WebChatProcess) -> None:
    status, answer = web_chat.call("POST", "/api/chats", b"{not json")

    assert status == 400
    assert answer["error"].startswith("The body is not valid JSON")


def test_a_decision_on_a_call_that_waits_for_none_is_refused_with_a_409(web_chat: WebChatProcess) -> None:
    _, chat = web_chat.call("POST", "/api/chats", {})
    decision = {"call_id": "0.0.0", "digest": "sha256:00", "approve": True, "approver": "Alice"}

    status, answer = web_chat.call("POST", f"/api/chats/{chat['workflow_id']}/decisions", decision)

    assert status == 409
    assert answer["error"].startswith("No call '0.0.0' waits for approval")
