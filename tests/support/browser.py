"""What the browser tests share: a `drafter serve` to point Chromium at, and headless Chromium itself.

Needs /usr/bin/chromium and /usr/bin/chromedriver (`make browser-deps`); the tests skip without them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.support.net import free_port, wait_for

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
HAVE_BROWSER = CHROMIUM.exists() and CHROMEDRIVER.exists()
WAIT = 60  # seconds, the longest any single wait may take


def server_env(data_dir: Path) -> dict[str, str]:
    """This process's environment without any drafter, OpenAI, Chroma or Gradio setting: data in `data_dir`,
    the hashing embedder, nothing fetched from the Hugging Face hub."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "DRAFTER_", "CHROMA_", "GRADIO_"))}
    env.update(DRAFTER_DATA_DIR=str(data_dir), DRAFTER_EMBED_MODEL="hash-bigram-256",
               GRADIO_ANALYTICS_ENABLED="False", GRADIO_TEMP_DIR=str(data_dir / "gradio-tmp"),
               HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    return env


@contextmanager
def serving(drafter: list[str], env: dict[str, str], log_path: Path, *, ready_path: str,
            ready: Callable[[httpx.Response], bool] = lambda r: r.status_code == 200,
            cwd: Path | None = None) -> Iterator[str]:
    """`drafter serve` (the command `drafter`) on a free port, logging to `log_path`; yields its URL (ending in
    /) once `ready_path` answers `ready`, and stops it after. A server that does not start fails the test
    with its log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([*drafter, "serve", "--port", str(port)], env=env, stdout=log,
                                stderr=subprocess.STDOUT, cwd=cwd)
        try:
            if not wait_for(url + ready_path, timeout=WAIT, proc=proc, interval=0.3, request_timeout=2, ready=ready):
                proc.kill()
                pytest.fail("server did not start:\n" + log_path.read_text(errors="replace"))
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def chromium(downloads: Path, *, prefs: dict[str, Any] | None = None,
             logging_prefs: dict[str, str] | None = None) -> Iterator[WebDriver]:
    """Headless Chromium (zh-CN, a throwaway profile, no background network) that saves downloads to
    `downloads`; `prefs` are added to the profile's, `logging_prefs` turns on its performance/browser logs."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,2000", "--lang=zh-CN"):
        opts.add_argument(arg)
    profile = tempfile.mkdtemp(prefix="drafter-chrome-")
    opts.add_argument(f"--user-data-dir={profile}")
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False, **(prefs or {})})
    if logging_prefs:
        opts.set_capability("goog:loggingPrefs", logging_prefs)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
