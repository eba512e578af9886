"""Accounts in a real headless Chromium against the real server (`drafter serve`, offline backend, one admin
made with `drafter users add`): the page sends a stranger to the sign-in form; sign in → draft →
regenerate → export (.docx downloaded) → sign out; after that the draft's URL, the page and the Gradio
endpoints refuse, and the old session cookie does not come back.

Needs /usr/bin/chromium and /usr/bin/chromedriver (`make browser-deps`); skipped without them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drafter.settings import REPO_ROOT
from tests.support.accounts import ORG_A
from tests.support.browser import HAVE_BROWSER, chromium, server_env, serving
from tests.test_ui_browser import choose, section_texts, shot, wait

pytestmark = pytest.mark.skipif(not HAVE_BROWSER,
                                reason="browser test needs /usr/bin/chromium and /usr/bin/chromedriver")
if HAVE_BROWSER:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

PASSWORD = "browser-pass-1"
DRAFTER = [sys.executable, "-m", "drafter"]  # this checkout's code (run from REPO_ROOT), not an installed copy


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("accounts-server")
    env = server_env(root / "data")
    subprocess.run([*DRAFTER, "index"], env=env, check=True, capture_output=True, timeout=300, cwd=REPO_ROOT)
    subprocess.run([*DRAFTER, "users", "add", "alice", "--org", ORG_A, "--role", "admin", "--password-stdin"],
                   env=env, input=PASSWORD + "\n", text=True, check=True, timeout=120, cwd=REPO_ROOT)
    with serving(DRAFTER, env, root / "server.log", ready_path="login", cwd=REPO_ROOT) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebDriver, Path]]:
    downloads = tmp_path_factory.mktemp("accounts-downloads")
    with chromium(downloads) as driver:
        yield driver, downloads


def fetch(d: WebDriver, url: str) -> dict[str, Any]:
    """`fetch(url)` from the page, with the browser's cookies: {status, text}."""
    result: dict[str, Any] = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(async r => done({status: r.status, text: await r.text()}))"
        ".catch(e => done({status: -1, text: String(e)}));", url)
    return result


def test_login_draft_regenerate_export_logout(server: str, browser: tuple[WebDriver, Path]) -> None:
    d, downloads = browser
    d.get(server)
    wait(d, lambda d: "/login" in d.current_url, "a stranger is sent to the sign-in form")
    assert "用户名" in d.page_source and "密码" in d.page_source
    d.find_element(By.ID, "username").send_keys("alice")
    d.find_element(By.ID, "password").send_keys("wrong-password")
    d.find_element(By.ID, "login-submit").click()
    wait(d, lambda d: "用户名或密码错误" in d.page_source, "wrong password refused")
    d.find_element(By.ID, "username").send_keys("alice")
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.ID, "login-submit").click()
    wait(d, lambda d: d.find_elements(By.ID, "btn-example"), "signed in: the UI loads")
    user = wait(d, lambda d: d.find_elements(By.ID, "app-user"), "user shown")[0].text
    assert "alice" in user and ORG_A in user and "管理员" in user
    shot(d, "acc_01_signed_in")

    d.find_element(By.ID, "btn-example").click()
    wait(d, lambda d: (d.find_element(By.CSS_SELECTOR, "#f-org input, #f-org textarea").get_attribute("value") or ""),
         "example filled")
    d.find_element(By.ID, "btn-draft").click()
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#draft-progress .progress-finished"), "draft finished")
    before = section_texts(d)
    choose(d, "section-select", "第 3 节")
    d.find_element(By.ID, "btn-regenerate").click()
    wait(d, lambda d: d.find_element(By.ID, "section-2").get_attribute("data-version") == "1", "section rewritten")
    assert {i: t for i, t in section_texts(d).items() if i != 2} == {i: t for i, t in before.items() if i != 2}
    button = d.find_element(By.ID, "btn-download-docx")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    wait(d, lambda d: d.find_element(By.ID, "btn-download-docx").is_enabled(), "download enabled")
    d.find_element(By.ID, "btn-download-docx").click()
    docx = wait(d, lambda d: next(iter(downloads.glob("*.docx")), None), "docx downloaded")
    wait(d, lambda d: not list(downloads.glob("*.crdownload")) and docx.stat().st_size > 0, "download done")
    drafts = json.loads(fetch(d, "/api/v1/drafts")["text"])["drafts"]
    draft_id = drafts[0]["id"]
    assert fetch(d, f"/api/v1/drafts/{draft_id}")["status"] == 200
    shot(d, "acc_02_drafted")

    d.execute_script("arguments[0].click();", d.find_element(By.ID, "logout-link"))  # a toast may cover it
    wait(d, lambda d: d.find_elements(By.ID, "logout-submit"), "sign-out page")
    d.find_element(By.ID, "logout-submit").click()
    wait(d, lambda d: "/login" in d.current_url and d.find_elements(By.ID, "username"), "signed out")
    assert fetch(d, f"/api/v1/drafts/{draft_id}")["status"] == 401
    assert fetch(d, f"/api/v1/drafts/{draft_id}/export?format=md")["status"] == 401
    for url in ("/gradio_api/info", "/config", "/gradio_api/queue/status", "/gradio_api/file=x.docx"):
        assert fetch(d, url)["status"] == 401, url
    d.get(server + f"api/v1/drafts/{draft_id}")
    assert "需要登录" in d.page_source and "宏远" not in d.page_source
    d.get(server)
    wait(d, lambda d: "/login" in d.current_url, "the page sends to sign-in again")
    shot(d, "acc_03_signed_out")
    try:  # the server too: the draft does not answer without a session
        urllib.request.urlopen(server + f"api/v1/drafts/{draft_id}", timeout=5)
        raise AssertionError("draft served without a session")
    except urllib.error.HTTPError as exc:
        assert exc.code == 401
