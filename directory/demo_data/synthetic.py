"""A synthetic directory of any size, for benchmarks: generated names, random districts,
languages and categories (seeded, so two runs build the same directory)."""

from __future__ import annotations

import random
from uuid import UUID

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

DISTRICTS = ["Altstadt I", "Altstadt II", "Broich", "Dümpten", "Eppinghofen", "Heißen",
             "Holthausen", "Saarn", "Speldorf", "Styrum"]
LANGUAGES = ["de", "en", "ar", "tr", "uk", "ru", "fa", "prs", "ti", "so"]
_BATCH = 1000


async def fill_synthetic(offers: int, seed: int = 7) -> UUID:
    """Inserts `offers` offers (one organisation per ten) into an empty directory; returns the
    id of a top category that has subcategories."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
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
    for start in range(0, offers, _BATCH):
        batch = []
        for n in range(start, min(offers, start + _BATCH)):
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
    top_id: UUID = tops[0].id
    return top_id
