"""The web UI in a real headless Chromium against the real server (`drafter serve`, offline backend).

Fill the example facts, plan, draft (sections stream in), rewrite one section and check that only it
changed, edit a section to add an amount that is not in the facts and see it flagged, download the .docx.
Screenshots of every step go to tests/screenshots/ (gitignored). The page must fetch nothing but the
local server: every request the browser made is checked at the end.

Needs /usr/bin/chromium and /usr/bin/chromedriver (`make browser-deps`); skipped without them.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.support.browser import HAVE_BROWSER, WAIT, chromium, server_env, serving

SHOTS = Path(__file__).parent / "screenshots"
BIN = Path(sys.executable).parent
NEW_AMOUNT = "另发放慰问品9999份。"

if os.environ.get("CI") and not HAVE_BROWSER:
    raise RuntimeError("CI must run the browser tests: /usr/bin/chromium and /usr/bin/chromedriver are missing "
                       "(`make browser-deps` installs them)")
pytestmark = pytest.mark.skipif(
    not HAVE_BROWSER,
    reason="browser test needs /usr/bin/chromium and /usr/bin/chromedriver (run `make browser-deps`)",
)
MATERIALS = Path(__file__).parent / "data" / "materials" / "enterprise" / "files"

if HAVE_BROWSER:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support.ui import WebDriverWait


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("ui-server")
    env = server_env(root / "data")
    subprocess.run([str(BIN / "drafter"), "index"], env=env, check=True, capture_output=True, timeout=300)
    with serving([str(BIN / "drafter")], env, root / "server.log", ready_path="api/v1/health",
                 ready=lambda r: r.status_code == 200 and r.json()["status"] == "ok") as url:
        yield url


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[WebDriver]:
    with chromium(downloads, prefs={"download.directory_upgrade": True, "safebrowsing.enabled": False,
                                    "intl.accept_languages": "zh-CN,zh"},
                  logging_prefs={"performance": "ALL", "browser": "ALL"}) as driver:
        yield driver


# --- helpers ------------------------------------------------------------------------------------------------
def wait(driver: WebDriver, condition: Any, message: str, timeout: float = WAIT) -> Any:
    def safe(d: WebDriver) -> Any:
        try:
            return condition(d)
        except StaleElementReferenceException:
            return False

    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(safe, message)


def shot(driver: WebDriver, name: str, element: WebElement | None = None) -> None:
    SHOTS.mkdir(exist_ok=True)
    if element is not None:
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -60);", element)
    else:
        driver.execute_script("window.scrollTo(0, 0);")
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def field(driver: WebDriver, elem_id: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f"#{elem_id} textarea, #{elem_id} input")


def value(driver: WebDriver, elem_id: str) -> str:
    return field(driver, elem_id).get_attribute("value") or ""


def attr(element: WebElement, name: str) -> str:
    return element.get_attribute(name) or ""


def section_texts(driver: WebDriver) -> dict[int, str]:
    return {int(attr(s, "data-index")): s.find_element(By.CSS_SELECTOR, ".section-text").text
            for s in driver.find_elements(By.CSS_SELECTOR, "#draft-view section.draft-section")}


def flag_total(driver: WebDriver) -> int:
    return int(attr(driver.find_element(By.CSS_SELECTOR, "#flag-summary .flag-total"), "data-count"))


def choose(driver: WebDriver, elem_id: str, label_start: str) -> None:
    """Pick an option of a Gradio dropdown by the start of its label."""
    box = driver.find_element(By.CSS_SELECTOR, f"#{elem_id} input")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.click()
    option = wait(driver, lambda d: next((o for o in d.find_elements(By.CSS_SELECTOR, "li[role=option]")
                                          if attr(o, "aria-label").startswith(label_start)), None),
                  f"dropdown option {label_start!r}")
    option.click()
    wait(driver, lambda d: value(d, elem_id).startswith(label_start), f"dropdown shows {label_start!r}")


# --- the test -----------------------------------------------------------------------------------------------
def test_draft_regenerate_edit_download(server: str, browser: WebDriver, downloads: Path) -> None:
    d = browser
    d.get(server)
    wait(d, lambda d: d.find_elements(By.ID, "btn-example"), "page loaded")
    wait(d, lambda d: "篇" in d.find_element(By.CSS_SELECTOR, "#app-header .app-status").text, "corpus status")
    header = d.find_element(By.ID, "app-header").text
    assert "工会年度工作总结起草工具" in header
    assert "离线起草（不编造数字）" in header

    # 1. example facts
    d.find_element(By.ID, "btn-example").click()
    wait(d, lambda d: value(d, "f-org") == "宏远机械制造有限公司", "example filled")
    items = value(d, "f-items").splitlines()
    assert len(items) >= 6 and any("万元" in line for line in items)
    shot(d, "01_facts")

    # 2. outline
    d.find_element(By.ID, "btn-plan").click()
    wait(d, lambda d: "【正文】" in value(d, "outline-editor"), "outline shown")
    outline = value(d, "outline-editor")
    assert "【开篇】" in outline and "【结尾】" in outline and items[0] in outline
    shot(d, "02_outline")

    # 3. draft: sections stream in, progress finishes
    d.find_element(By.ID, "btn-draft").click()
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#draft-progress .progress-finished"), "draft finished")
    sections = section_texts(d)
    assert len(sections) >= 4
    assert all(text.strip() for text in sections.values())
    assert items[0] in "".join(sections.values())
    assert flag_total(d) == 0  # the offline drafter writes only the facts' own numbers
    assert d.find_element(By.CSS_SELECTOR, "#draft-progress .progress-label").text.startswith("草稿已完成")
    shot(d, "03_draft", d.find_element(By.ID, "draft-progress"))

    # 4. regenerate section 2 with an instruction: only its text changes
    choose(d, "section-select", "第 3 节")
    instruction = field(d, "rewrite-instruction")
    instruction.clear()
    instruction.send_keys("更简洁")
    d.find_element(By.ID, "btn-regenerate").click()
    wait(d, lambda d: attr(d.find_element(By.ID, "section-2"), "data-version") == "1", "section 2 rewritten")
    after = section_texts(d)
    assert after[2] != sections[2]
    assert {i: t for i, t in after.items() if i != 2} == {i: t for i, t in sections.items() if i != 2}
    assert "更简洁" in d.find_element(By.ID, "section-2").text  # the version badge names the instruction
    shot(d, "04_regenerated", d.find_element(By.ID, "section-2"))

    # 5. edit a section: an amount that is not in the facts is flagged where it is and counted on top
    before = flag_total(d)
    choose(d, "section-select", "第 4 节")
    start = after[3].strip()[:12]
    wait(d, lambda d: value(d, "section-text-editor").startswith(start), "editor loaded")
    editor = field(d, "section-text-editor")
    editor.click()
    editor.send_keys(Keys.CONTROL, Keys.END)
    editor.send_keys(NEW_AMOUNT)
    d.find_element(By.ID, "btn-save").click()
    mark = wait(d, lambda d: next((m for m in d.find_elements(By.CSS_SELECTOR, "#section-3 mark.flag")
                                   if "9999份" in m.text), None), "new amount highlighted")
    assert "flag-amount" in attr(mark, "class")
    assert "事实中没有" in attr(mark, "title")
    wait(d, lambda d: flag_total(d) > before, "summary count increased")
    summary = d.find_element(By.ID, "flag-summary").text
    assert "9999份" in summary and "事实中没有" in summary and "第 4 节" in summary
    shot(d, "05_flagged", d.find_element(By.ID, "flag-summary"))

    # 6. download the .docx and read it back
    button = d.find_element(By.ID, "btn-download-docx")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    wait(d, lambda d: d.find_element(By.ID, "btn-download-docx").is_enabled(), "download enabled")
    d.find_element(By.ID, "btn-download-docx").click()
    docx_path = wait(d, lambda d: next((p for p in downloads.glob("*.docx")), None), "docx downloaded")
    wait(d, lambda d: not list(downloads.glob("*.crdownload")) and docx_path.stat().st_size > 0, "download done")
    assert docx_path.name == "宏远机械制造有限公司2024年工会工作总结.docx"
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx_path.read_bytes())).paragraphs)
    assert "宏远机械制造有限公司2024年工会工作总结" in text
    assert "9999份" in text
    shot(d, "06_download", button)

    # nothing but the local server was contacted
    host = urlparse(server).netloc
    for entry in d.get_log("performance"):  # type: ignore[attr-defined]
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            parsed = urlparse(url)
            if parsed.scheme in ("http", "https", "ws", "wss"):  # not data:, blob:, chrome://
                assert parsed.netloc == host, f"the page fetched {url}"


def test_materials_review_accept_draft(server: str, browser: WebDriver) -> None:
    """From materials to a draft whose 核对表 names the sources: upload → review → accept → draft."""
    d = browser
    d.get(server)
    wait(d, lambda d: d.find_elements(By.ID, "btn-example"), "page loaded")
    org = field(d, "f-org")
    org.clear()
    org.send_keys("XX市供电公司")
    year = field(d, "f-year")
    year.send_keys(Keys.CONTROL, "a")
    year.send_keys("2024")
    d.find_element(By.XPATH, "//button[@role='tab'][normalize-space()='从材料提取']").click()
    upload = wait(d, lambda d: d.find_element(By.CSS_SELECTOR, "#materials-upload input[type=file]"), "upload box")
    upload.send_keys("\n".join(str(p) for p in sorted(MATERIALS.iterdir())))
    wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#materials-upload .file-preview tr, "
                                                          "#materials-upload .file-preview-holder tr")) >= 3
         or "12月简报" in d.find_element(By.ID, "materials-upload").text, "files uploaded")
    d.find_element(By.ID, "btn-extract").click()
    wait(d, lambda d: "候选事实" in d.find_element(By.ID, "materials-message").text, "facts extracted")
    table = d.find_element(By.ID, "review-table").text
    assert "32户" in table and "数字冲突" in table
    shot(d, "08_review", d.find_element(By.ID, "review-table"))
    d.find_element(By.ID, "btn-accept-facts").click()
    d.find_element(By.XPATH, "//button[@role='tab'][normalize-space()='逐项填写']").click()
    wait(d, lambda d: "32户" in value(d, "f-items"), "facts in the form")
    d.find_element(By.ID, "btn-draft").click()
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#draft-progress .progress-finished"), "draft finished")
    assert "32户" in "".join(section_texts(d).values())
    d.find_element(By.ID, "trace-panel").click()
    trace = wait(d, lambda d: d.find_element(By.ID, "trace-view").text or None, "trace shown")
    assert "2024年一季度工会工作报告.docx" in trace or "困难职工帮扶台账.xlsx" in trace
    shot(d, "09_trace", d.find_element(By.ID, "trace-view"))


def test_corpus_tab_and_escaping(server: str, browser: WebDriver) -> None:
    """The corpus table lists the bundled documents; user text with markup is shown as text."""
    d = browser
    d.get(server)
    wait(d, lambda d: d.find_elements(By.ID, "btn-example"), "page loaded")
    d.find_element(By.ID, "btn-example").click()
    wait(d, lambda d: value(d, "f-org"), "example filled")
    org = field(d, "f-org")
    org.clear()
    org.send_keys("<script>alert(1)</script>公司 & 工会")
    d.find_element(By.ID, "btn-draft").click()
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#draft-progress .progress-finished"), "draft finished")
    title = d.find_element(By.CSS_SELECTOR, "#draft-view .draft-title")
    assert title.text.startswith("<script>alert(1)</script>公司 & 工会")
    assert not d.find_elements(By.CSS_SELECTOR, "#draft-view script")

    d.find_element(By.XPATH, "//button[@role='tab'][normalize-space()='范文库']").click()
    wait(d, lambda d: int(attr(d.find_element(By.CSS_SELECTOR, "#corpus-table [role=grid]"), "aria-rowcount") or 0)
         >= 4, "corpus table")
    table = d.find_element(By.ID, "corpus-table").text
    assert "内置" in table
    query = field(d, "search-query")
    query.send_keys("困难职工帮扶 送温暖")
    d.find_element(By.ID, "btn-search").click()
    wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#search-hits li.hit")) >= 1, "search hits")
    shot(d, "07_corpus")


def test_gradio_client_api(server: str) -> None:
    """The main actions are named endpoints of Gradio's own API (gradio_client)."""
    from gradio_client import Client

    client = Client(server, verbose=False)
    api = client.view_api(return_format="dict", print_info=False)
    assert {"/outline", "/draft", "/regenerate", "/edit_section", "/check", "/search"} <= set(api["named_endpoints"])
    assert not any("fill_example" in name or "select_section" in name for name in api["named_endpoints"])
    html = client.predict("测试公司", 2024, "企业", "", "走访慰问困难职工家庭32户", "", "", "",
                          "全年走访慰问困难职工家庭35户。", api_name="/check")
    assert 'data-count="1"' in html and "35户</mark>" in html and "与事实不符" in html
    hits = client.predict("困难职工帮扶", api_name="/search")
    assert 'class="hit"' in hits
