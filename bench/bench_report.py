"""The client report of `crmlab analyze`, written and looked at in a real browser.

A synthetic log of 20,000 customers (2,000 with --quick) is cleaned and analysed, and the report is written in
English and in Chinese; the time each takes is reported. When Chromium is installed (Debian's `chromium`),
each page is rendered headless to build/bench/report_<lang>.png - look at them - and the share of the page
that is not blank is reported as a sanity figure (a page whose charts or text failed to render is mostly
white).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import crmlab
from crmlab.analyze import clean_transactions, customer_value
from crmlab.analyze.client import client_report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def _screenshot(browser: str, page: Path, png: Path) -> float:
    """Render ``page`` to ``png``; return the share of pixels that are not (near) white."""
    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", "--window-size=1100,5200",
                        f"--screenshot={png}", page.as_uri()], check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pixels = np.asarray(Image.open(png).convert("L"))
    return float((pixels < 240).mean())


def run(quick: bool) -> list[dict]:
    n = 2000 if quick else 20_000
    out = Path("build/bench")
    out.mkdir(parents=True, exist_ok=True)
    log = crmlab.worlds.make("transactions", seed=3, n_customers=n).tables["transactions"]
    result = clean_transactions(log, customer_col="customer_id", date_col="date", amount_col="amount")
    value = customer_value(result.transactions, observation_end=result.observation_end, gross_margin=0.4,
                           cost_per_purchase=5)
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    rows = []
    for lang in ("en", "zh"):
        folder = out / f"report_{lang}"
        folder.mkdir(exist_ok=True)
        t0 = time.perf_counter()
        page = client_report(value, result.quality, result.transactions, folder, source="synthetic.csv", lang=lang,
                             gross_margin=0.4, cost_per_purchase=5)
        rows.append({"name": f"report: client report ({lang}), {n:,} customers", "value": time.perf_counter() - t0,
                     "unit": "s", "note": f"{page.stat().st_size / 1e6:.2f} MB, {page}"})
        if browser:
            png = out / f"report_{lang}.png"
            rows.append({"name": f"report: {lang} page rendered in Chromium, non-blank share", "value":
                         _screenshot(browser, page.resolve(), png.resolve()), "unit": "", "note": f"look at {png}"})
        else:
            rows.append({"name": f"report: {lang} page not rendered", "value": 0.0, "unit": "",
                         "note": "Chromium not installed (apt-get install chromium) - nothing looked at"})
    return rows


if __name__ == "__main__":
    for row in run(quick=False):
        print(f"{row['name']:<56} {row['value']:8.3f} {row['unit']:<3} {row['note']}")
