"""Turn the scraped seed file into the bundled corpus: one cleaned UTF-8 file per summary.

    .venv/bin/python tools/import_seed.py ../shared/seeds/000_ae8e917456bcdb4a.txt corpus/

Run once; the output is committed. The site's page title and breadcrumb lines are dropped here (they are
specific to this scrape); general cleaning lives in drafter.documents.clean_text.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from drafter.corpus.documents import clean_text, split_seed

_SITE_LINES = re.compile(r"^\s*(当前位置.*|\d{4}年工会年度工作总结范文\s*)$", re.M)


def main(seed: str, out_dir: str) -> None:
    raw = Path(seed).read_text(encoding="utf-8")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for number, body in split_seed(raw):
        title = f"2023年工会年度工作总结范文 篇{number}"
        text = clean_text(_SITE_LINES.sub("", body))
        (out / f"seed-{number:02d}.txt").write_text(f"{title}\n\n{text}", encoding="utf-8")
        print(f"seed-{number:02d}.txt  {len(text)} chars")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
