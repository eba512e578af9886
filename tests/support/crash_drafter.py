"""Run as a separate process by the crash test: start a draft whose `hold` sections never finish, print the
draft id, and wait (the test kills this process with SIGKILL mid-draft).

    python -m tests.support.crash_drafter DATA_DIR DATABASE_URL 3,5
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from drafter.facts import load_facts
from tests.support.gated import GatedGenerator, bare_workspace

FACTS = Path(__file__).resolve().parent.parent / "data" / "facts" / "manufacturer_six_sections.txt"


async def main(data_dir: str, url: str, hold: str) -> None:
    gen = GatedGenerator(hold={int(i) for i in hold.split(",") if i})
    ws = bare_workspace(Path(data_dir), url, gen)
    run = await ws.start_draft(load_facts(FACTS))
    print(run.draft_id, flush=True)
    await run.result()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
