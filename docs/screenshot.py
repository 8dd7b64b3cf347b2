"""Remake docs/review-page.png: the review page of a shipped example, one metric clicked, in headless Chromium.

    python docs/screenshot.py    (needs chromium, chromium-driver, a Chinese font such as
fonts-wqy-microhei, and selenium from the test extra)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

from summarizer import summarize
from summarizer.render import render

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--window-size=1400,860", "--hide-scrollbars")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "review.html"
        os.chdir(ROOT)  # the page names its source as given: a path inside the checkout, not this machine's
        page.write_text(render(summarize(Path("examples/linjiang_half_year.txt"), backend="rules"), "html"),
                        encoding="utf-8")  # fmt: skip
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "chromium"
        for flag in (*FLAGS, f"--user-data-dir={Path(folder) / 'profile'}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(shutil.which("chromedriver")))
        try:
            driver.get(page.as_uri())
            driver.find_elements(By.CSS_SELECTOR, "#section-metrics ~ table .item")[1].click()
            driver.save_screenshot(str(ROOT / "docs" / "review-page.png"))
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
