"""Times the directory's list and detail reads on a synthetic directory (SQLite, fresh data dir).

Usage: .venv/bin/python scripts/bench_directory.py [OFFERS]   (default 10000)
Prints rows, milliseconds and SQL queries per read: the query count must not grow with the
page size (related rows are loaded with one IN query per table).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["LOTSE_DATA_DIR"] = tempfile.mkdtemp(prefix="lotse-bench-directory-")
os.environ.pop("DATABASE_URL", None)
os.environ["PICCOLO_CONF"] = "piccolo_conf"

async def measure(offers: int) -> None:
    from core.db import engine
    from core.migrate import migrate
    from directory import api as directory

    await migrate()
    started = time.perf_counter()
    top = await directory.fill_synthetic_directory(offers)
    print(f"filled {offers} offers in {time.perf_counter() - started:.1f} s")

    engine_class = type(engine())
    original = engine_class.run_querystring
    counter = {"n": 0}

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        counter["n"] += 1
        return await original(self, *args, **kwargs)

    setattr(engine_class, "run_querystring", counting)  # noqa: B010
    cases = [
        ("page 1, 50 per page", directory.ServiceFilters(), 0, 50),
        ("page 1, 200 per page", directory.ServiceFilters(), 0, 200),
        ("page 100, 50 per page", directory.ServiceFilters(), 4950, 50),
        ("category with subcategories", directory.ServiceFilters(category_id=top), 0, 50),
        ("district", directory.ServiceFilters(district="Styrum"), 0, 50),
        ("language", directory.ServiceFilters(language="ti"), 0, 50),
    ]
    for label, filters, offset, limit in cases:
        counter["n"] = 0
        started = time.perf_counter()
        items, total = await directory.list_services(filters, offset, limit)
        elapsed = (time.perf_counter() - started) * 1000
        print(f"{label:30} {len(items):4d} of {total:6d}  {elapsed:7.1f} ms  "
              f"{counter['n']:2d} queries")
    counter["n"] = 0
    started = time.perf_counter()
    await directory.service_detail(items[0].id)
    print(f"{'one offer in full':30} {'':14} {(time.perf_counter() - started) * 1000:7.1f} ms  "
          f"{counter['n']:2d} queries")


if __name__ == "__main__":
    asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
