"""The Lotse taxonomies: offer categories and target groups, with stable codes and ids.

Search, the HSDS export and the demo data all refer to terms by these codes. A term's id is
derived from its code, so every installation that installs the taxonomy gets the same ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from directory.tables import Taxonomy, TaxonomyTerm

# Fixed namespace of the taxonomy ids; never change it (ids are published through HSDS).
TAXONOMY_NAMESPACE = uuid.UUID("6f1d3a52-8a0e-5c3b-9d47-2b1e0c9a7f10")

CATEGORIES_NAME = "Lotse-Kategorien"
TARGET_GROUPS_NAME = "Zielgruppen"
TAXONOMY_VERSION = "1"
TARGET_GROUP_PREFIX = "zielgruppe."


@dataclass(frozen=True)
class TermDef:
    code: str
    name: str
    name_en: str
    children: tuple[TermDef, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class TaxonomyDef:
    key: str
    name: str
    description: str
    terms: tuple[TermDef, ...] = field(default_factory=tuple)

    def walk(self) -> Iterator[tuple[TermDef, TermDef | None]]:
        """Every term with its parent (None for a top term), parents before children."""
        for top in self.terms:
            yield top, None
            for child in top.children:
                yield child, top


def _top(code: str, name: str, name_en: str, *children: tuple[str, str, str]) -> TermDef:
    return TermDef(
        code=code,
        name=name,
        name_en=name_en,
        children=tuple(TermDef(f"{code}.{sub}", de, en) for sub, de, en in children),
    )


_CATEGORIES = (
    _top(
        "sprache", "Sprache & Integrationskurse", "Language & integration courses",
        ("integrationskurs", "Integrationskurs", "Integration course"),
        ("alphabetisierung", "Alphabetisierung", "Literacy course"),
        ("berufssprachkurs", "Berufssprachkurs", "Job-related language course"),
        ("jugendintegrationskurs", "Jugendintegrationskurs", "Youth integration course"),
        ("sprachcafe", "Sprachcafé", "Language café"),
        ("deutschkurs-ehrenamtlich", "Ehrenamtlicher Deutschkurs", "Volunteer German class"),
        ("pruefungen", "Sprachprüfungen & Einbürgerungstest", "Language and citizenship tests"),
        ("sprachmittlung", "Sprachmittlung & Dolmetschen", "Interpreting & language mediation"),
    ),
    _top(
        "migrationsberatung", "Migrationsberatung", "Migration counselling",
        ("mbe", "Migrationsberatung für Erwachsene (MBE)", "Migration counselling for adults"),
        ("jugendmigrationsdienst", "Jugendmigrationsdienst", "Youth migration service"),
        ("case-management", "Case Management", "Case management"),
        ("eu-buergerinnen", "Beratung für EU-Bürger:innen", "Counselling for EU citizens"),
        ("community", "Beratung in der Community", "Community-based counselling"),
    ),
    _top(
        "asyl-aufenthalt", "Asyl- & Aufenthaltsrecht", "Asylum & residence law",
        ("asylverfahrensberatung", "Asylverfahrensberatung", "Asylum procedure counselling"),
        ("aufenthaltstitel", "Aufenthaltstitel", "Residence permits"),
        ("familiennachzug", "Familiennachzug", "Family reunification"),
        ("einbuergerung", "Einbürgerung", "Naturalisation"),
        ("rueckkehr", "Rückkehr- & Perspektivberatung", "Return and perspective counselling"),
        ("rechtsberatung", "Rechtsberatung", "Legal advice"),
    ),
    _top(
        "arbeit-ausbildung", "Arbeit & Ausbildung", "Work & vocational training",
        ("anerkennung", "Anerkennung ausländischer Abschlüsse",
         "Recognition of foreign qualifications"),
        ("bewerbung", "Bewerbungstraining", "Job application training"),
        ("ausbildung", "Ausbildungsvermittlung", "Apprenticeship placement"),
        ("arbeitsvermittlung", "Arbeitsvermittlung", "Job placement"),
        ("qualifizierung", "Qualifizierung & Weiterbildung", "Qualification & further training"),
        ("berufsorientierung", "Berufsorientierung", "Career orientation"),
    ),
    _top(
        "schule-bildung", "Schule & Bildung", "School & education",
        ("seiteneinstieg", "Seiteneinstieg in die Schule", "School entry for newcomers"),
        ("hausaufgabenhilfe", "Hausaufgabenhilfe", "Homework help"),
        ("lernfoerderung", "Lernförderung & Nachhilfe", "Tutoring"),
        ("schulabschluss", "Schulabschluss nachholen", "Catching up on school qualifications"),
        ("studium", "Studium & Hochschulzugang", "Studies & university access"),
        ("digitale-bildung", "Digitale Bildung", "Digital skills"),
    ),
    _top(
        "kinder-familie", "Kinder & Familie", "Children & family",
        ("kita", "Kita & Kindertagespflege", "Daycare & childminding"),
        ("eltern-kind", "Eltern-Kind-Gruppen", "Parent-child groups"),
        ("elternbildung", "Elternbildung", "Parenting education"),
        ("erziehungsberatung", "Erziehungs- & Familienberatung", "Parenting & family counselling"),
        ("schwangerschaft", "Schwangerschaft & Geburt", "Pregnancy & birth"),
        ("ferien", "Ferienangebote", "Holiday programmes"),
    ),
    _top(
        "gesundheit", "Gesundheit", "Health",
        ("psychosozial", "Psychosoziale Beratung & Traumatherapie",
         "Psychosocial support & trauma therapy"),
        ("gesundheitsberatung", "Gesundheitsberatung", "Health counselling"),
        ("medizinische-versorgung", "Medizinische Versorgung", "Medical care"),
        ("sucht", "Suchtberatung", "Addiction counselling"),
        ("behinderung", "Behinderung & Inklusion", "Disability & inclusion"),
    ),
    _top(
        "wohnen", "Wohnen", "Housing",
        ("wohnungssuche", "Wohnungssuche", "Finding a home"),
        ("mietrecht", "Mietrecht & Mietberatung", "Tenancy advice"),
        ("wohnungsnotfall", "Wohnungsnotfälle", "Housing emergencies"),
        ("wohngeld", "Wohngeld", "Housing benefit"),
    ),
    _top(
        "geld-schulden", "Geld & Schulden", "Money & debt",
        ("schuldnerberatung", "Schuldnerberatung", "Debt counselling"),
        ("insolvenz", "Insolvenzberatung", "Insolvency counselling"),
        ("sozialleistungen", "Sozialleistungen", "Social benefits"),
        ("bildung-teilhabe", "Bildung und Teilhabe", "Education and participation benefits"),
        ("budget", "Haushalts- & Budgetberatung", "Household budget advice"),
    ),
    _top(
        "frauen", "Frauen", "Women",
        ("frauenberatung", "Frauenberatung", "Counselling for women"),
        ("gewaltschutz", "Schutz vor Gewalt", "Protection from violence"),
        ("frauentreff", "Frauentreff", "Women's meeting place"),
        ("frauensport", "Frauensport & Schwimmen", "Sports & swimming for women"),
    ),
    _top(
        "jugend", "Jugend", "Youth",
        ("jugendtreff", "Jugendtreff", "Youth club"),
        ("jugendberatung", "Jugendberatung", "Counselling for young people"),
        ("maedchenarbeit", "Mädchenarbeit", "Programmes for girls"),
        ("sport-freizeit", "Sport & Freizeit", "Sport & leisure"),
    ),
    _top(
        "begegnung-ehrenamt", "Begegnung & Ehrenamt", "Meeting people & volunteering",
        ("begegnungscafe", "Begegnungscafé", "Meeting café"),
        ("patenschaften", "Patenschaften", "Mentoring"),
        ("ehrenamt", "Ehrenamt & Engagement", "Volunteering"),
        ("kultur", "Kultur & Freizeit", "Culture & leisure"),
        ("sachspenden", "Kleiderkammer & Sachspenden", "Clothing & donations"),
        ("senioren", "Seniorentreff", "Meeting place for older people"),
    ),
    _top(
        "behoerden", "Behörden", "Public offices",
        ("auslaenderbehoerde", "Ausländerbehörde", "Immigration office"),
        ("jobcenter", "Jobcenter & Arbeitsagentur", "Jobcentre & employment agency"),
        ("sozialamt", "Sozialamt", "Social welfare office"),
        ("jugendamt", "Jugendamt", "Youth welfare office"),
        ("buergeramt", "Bürgeramt & Anmeldung", "Citizens' office & registration"),
        ("begleitung", "Behördenbegleitung", "Accompaniment to public offices"),
    ),
)

_TARGET_GROUPS = tuple(
    TermDef(f"{TARGET_GROUP_PREFIX}{code}", name, name_en)
    for code, name, name_en in (
        ("gefluechtete", "Geflüchtete", "Refugees"),
        ("neuzugewanderte", "Neuzugewanderte", "Newcomers"),
        ("eu-buergerinnen", "EU-Bürger:innen", "EU citizens"),
        ("frauen", "Frauen", "Women"),
        ("maedchen", "Mädchen", "Girls"),
        ("kinder", "Kinder", "Children"),
        ("jugendliche", "Jugendliche", "Young people"),
        ("familien", "Familien", "Families"),
        ("senioren", "Senior:innen", "Older people"),
        ("studierende", "Studierende", "Students"),
        ("behinderung", "Menschen mit Behinderung", "People with disabilities"),
        ("fachkraefte", "Zugewanderte Fachkräfte", "Skilled immigrants"),
        ("lsbtiq", "LSBTIQ*", "LGBTIQ*"),
        ("ehrenamtliche", "Ehrenamtliche", "Volunteers"),
    )
)


def lotse_taxonomy() -> TaxonomyDef:
    """The offer categories: a two-level tree of top categories and their sub-terms."""
    return TaxonomyDef(
        key="lotse-kategorien",
        name=CATEGORIES_NAME,
        description="Kategorien der Angebote im Lotse-Netzwerk",
        terms=_CATEGORIES,
    )


def target_groups() -> TaxonomyDef:
    """The target groups an offer addresses (a flat list)."""
    return TaxonomyDef(
        key="zielgruppen",
        name=TARGET_GROUPS_NAME,
        description="Zielgruppen der Angebote im Lotse-Netzwerk",
        terms=_TARGET_GROUPS,
    )


def all_taxonomies() -> tuple[TaxonomyDef, ...]:
    return (lotse_taxonomy(), target_groups())


def top_category_codes() -> list[str]:
    return [term.code for term in lotse_taxonomy().terms]


def top_category_of(code: str) -> str:
    """The top category a category code belongs to ("sprache.sprachcafe" -> "sprache")."""
    return code.split(".", 1)[0]


def taxonomy_id(taxonomy: TaxonomyDef) -> uuid.UUID:
    return uuid.uuid5(TAXONOMY_NAMESPACE, f"taxonomy:{taxonomy.key}")


def term_id(code: str) -> uuid.UUID:
    return uuid.uuid5(TAXONOMY_NAMESPACE, f"term:{code}")


def term_by_code() -> dict[str, TermDef]:
    return {term.code: term for taxonomy in all_taxonomies() for term, _ in taxonomy.walk()}


def taxonomy_rows() -> tuple[list[Taxonomy], list[TaxonomyTerm]]:
    """Rows of both taxonomies, parents before children, with their stable ids."""
    taxonomies: list[Taxonomy] = []
    terms: list[TaxonomyTerm] = []
    for taxonomy in all_taxonomies():
        taxonomies.append(
            Taxonomy(
                id=taxonomy_id(taxonomy),
                name=taxonomy.name,
                description=taxonomy.description,
                version=TAXONOMY_VERSION,
            )
        )
        for term, parent in taxonomy.walk():
            terms.append(
                TaxonomyTerm(
                    id=term_id(term.code),
                    taxonomy=taxonomy_id(taxonomy),
                    parent=term_id(parent.code) if parent else None,
                    code=term.code,
                    name=term.name,
                    name_en=term.name_en,
                    description=term.description,
                )
            )
    return taxonomies, terms


async def ensure_taxonomies() -> dict[str, uuid.UUID]:
    """Insert whatever part of the taxonomies is missing; return the id of every code.

    Terms that already exist under their code (in the taxonomy of the same name) are kept, so
    links made elsewhere stay valid. Run it inside the caller's transaction.
    """
    taxonomies, terms = taxonomy_rows()
    existing_taxonomies = {
        row["name"]: row["id"]
        for row in await Taxonomy.select(Taxonomy.id, Taxonomy.name).where(
            Taxonomy.name.is_in([t.name for t in taxonomies])
        )
    }
    new_taxonomies = [t for t in taxonomies if t.name not in existing_taxonomies]
    if new_taxonomies:
        await Taxonomy.insert(*new_taxonomies)
    taxonomy_ids = {t.name: existing_taxonomies.get(t.name, t.id) for t in taxonomies}
    own_ids = {t.id: taxonomy_ids[t.name] for t in taxonomies}

    existing_terms = {
        (row["taxonomy"], row["code"]): row["id"]
        for row in await TaxonomyTerm.select(
            TaxonomyTerm.id, TaxonomyTerm.taxonomy, TaxonomyTerm.code
        ).where(TaxonomyTerm.taxonomy.is_in(list(taxonomy_ids.values())))
    }
    ids: dict[str, uuid.UUID] = {}
    missing: list[TaxonomyTerm] = []
    for term in terms:
        taxonomy = own_ids[term.taxonomy]
        found = existing_terms.get((taxonomy, term.code))
        if found is not None:
            ids[term.code] = found
            continue
        term.taxonomy = taxonomy
        if term.parent is not None:
            term.parent = ids[_parent_code(term.code)]
        ids[term.code] = term.id
        missing.append(term)
    if missing:
        await TaxonomyTerm.insert(*missing)
    return ids


def _parent_code(code: str) -> str:
    return code.rsplit(".", 1)[0]
