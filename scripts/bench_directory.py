"""Times the directory's list and detail reads on a synthetic directory (SQLite, fresh data dir).

Usage: .venv/bin/python scripts/bench_directory.py [OFFERS]   (default 10000)
Prints rows, milliseconds and SQL queries per read: the query count must not grow with the
page size (related rows are loaded with one IN query per table).
"""

from __future__ import annotations

import asyncio
import os
import random
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

DISTRICTS = ["Altstadt I", "Altstadt II", "Broich", "Dümpten", "Eppinghofen", "Heißen",
             "Holthausen", "Saarn", "Speldorf", "Styrum"]
LANGUAGES = ["de", "en", "ar", "tr", "uk", "ru", "fa", "prs", "ti", "so"]


async def fill(offers: int) -> Any:
    from directory.tables import (
        Capacity,
        Location,
        Organization,
        Service,
        ServiceAtLocation,
        ServiceLanguage,
        ServiceTerm,
        Taxonomy,
        TaxonomyTerm,
    )

    rng = random.Random(7)
    taxonomy = Taxonomy(name="Lotse-Kategorien")
    await taxonomy.save()
    tops = [TaxonomyTerm(taxonomy=taxonomy.id, code=f"top{i}", name=f"Kategorie {i}")
            for i in range(10)]
    await TaxonomyTerm.insert(*tops)
    subs = [TaxonomyTerm(taxonomy=taxonomy.id, parent=top.id, code=f"{top.code}.{j}",
                         name=f"Unterkategorie {j}") for top in tops for j in range(5)]
    await TaxonomyTerm.insert(*subs)
    orgs = [Organization(name=f"Träger {i:04d}") for i in range(max(1, offers // 10))]
    await Organization.insert(*orgs)
    places = [Location(organization=org.id, name=f"Standort {org.name}",
                       district=rng.choice(DISTRICTS)) for org in orgs]
    await Location.insert(*places)
    for start in range(0, offers, 1000):
        batch = []
        for n in range(start, min(offers, start + 1000)):
            org = n % len(orgs)
            batch.append((Service(organization=orgs[org].id, name=f"Angebot {n:06d}"), org))
        await Service.insert(*[s for s, _ in batch])
        await Capacity.insert(*[Capacity(service=s.id, maximum=10, available=rng.randint(0, 10))
                                for s, _ in batch])
        await ServiceAtLocation.insert(*[ServiceAtLocation(service=s.id,
                                                           location=places[org].id)
                                         for s, org in batch])
        await ServiceLanguage.insert(*[ServiceLanguage(service=s.id, code=code)
                                       for s, _ in batch
                                       for code in rng.sample(LANGUAGES, 3)])
        await ServiceTerm.insert(*[ServiceTerm(service=s.id, term=rng.choice(subs).id)
                                   for s, _ in batch])
    return tops[0].id


async def measure(offers: int) -> None:
    from core.db import engine
    from core.migrate import migrate
    from directory import queries

    await migrate()
    started = time.perf_counter()
    top = await fill(offers)
    print(f"filled {offers} offers in {time.perf_counter() - started:.1f} s")

    engine_class = type(engine())
    original = engine_class.run_querystring
    counter = {"n": 0}

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        counter["n"] += 1
        return await original(self, *args, **kwargs)

    setattr(engine_class, "run_querystring", counting)  # noqa: B010
    cases = [
        ("page 1, 50 per page", queries.ServiceFilters(), 0, 50),
        ("page 1, 200 per page", queries.ServiceFilters(), 0, 200),
        ("page 100, 50 per page", queries.ServiceFilters(), 4950, 50),
        ("category with subcategories", queries.ServiceFilters(category_id=top), 0, 50),
        ("district", queries.ServiceFilters(district="Styrum"), 0, 50),
        ("language", queries.ServiceFilters(language="ti"), 0, 50),
    ]
    for label, filters, offset, limit in cases:
        counter["n"] = 0
        started = time.perf_counter()
        items, total = await queries.list_services(filters, offset, limit)
        elapsed = (time.perf_counter() - started) * 1000
        print(f"{label:30} {len(items):4d} of {total:6d}  {elapsed:7.1f} ms  "
              f"{counter['n']:2d} queries")
    counter["n"] = 0
    started = time.perf_counter()
    await queries.service_detail(items[0].id)
    print(f"{'one offer in full':30} {'':14} {(time.perf_counter() - started) * 1000:7.1f} ms  "
          f"{counter['n']:2d} queries")


if __name__ == "__main__":
    asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
