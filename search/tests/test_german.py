"""German text handling shared by the index and the query side."""

from __future__ import annotations

import pytest

from search import compounds, german


def test_fold_strips_diacritics_and_sharp_s() -> None:
    assert german.fold("Flüchtlinge") == "fluchtlinge"
    assert german.fold("Straße") == "strasse"
    assert german.fold("Sprachcafé") == "sprachcafe"
    assert german.fold("Łódź") == "lodz"


def test_umlaut_words_are_also_indexed_in_ae_oe_ue_spelling() -> None:
    assert german.index_words("Flüchtlinge") == ["fluchtlinge", "fluechtlinge"]
    assert german.index_words("Frauen") == ["frauen"]


def test_hyphenated_compounds_are_split_and_glued() -> None:
    assert german.words("Schuldner-Beratung") == ["schuldner", "beratung"]
    assert german.index_words("Kita-Sprechstunde") == ["kita", "sprechstunde", "kitasprechstunde"]


def test_soft_hyphen_does_not_split_a_word() -> None:
    assert german.words("Integrations\u00adkurs") == ["integrationskurs"]


def test_other_scripts_are_kept() -> None:
    assert german.words("Мовне кафе") == ["мовне", "кафе"]
    assert german.words("مقهى اللغة") == ["مقهى", "اللغة"]


def test_stems_join_plural_and_umlaut_spellings() -> None:
    assert german.stem("fluchtlinge") == german.stem("fluechtlinge") == german.stem("fluchtling")
    assert german.stem("kurse") == german.stem("kursen") == "kurs"


def test_parts_are_the_tails_of_a_word() -> None:
    tails = german.parts("schuldnerberatung")
    assert "beratung" in tails and "nerberatung" in tails
    assert "schuldnerberatung" not in tails
    assert min(len(t) for t in tails) == german.MIN_PART


def test_typo_budget_grows_with_word_length() -> None:
    assert [german.typo_budget("x" * n) for n in (4, 5, 8, 9)] == [0, 1, 1, 2]


def test_query_words_leave_out_stop_words_unless_alone() -> None:
    query = german.QueryWords("Beratung für Frauen")
    assert query.words == ["beratung", "frauen"]
    assert query.phrase() == "beratung fur frauen"
    assert german.QueryWords("in der").words == ["in", "der"]


def test_glued_pairs_join_each_adjacent_pair() -> None:
    query = german.QueryWords("Schuldner Beratung Styrum")
    assert query.glued_pairs() == ["schuldnerberatung", "beratungstyrum"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("wohnungsberatung", ("wohnung", "beratung")),
        ("kitaberatung", ("kita", "beratung")),
        ("fluchtlingshilfe", ("fluchtling", "hilfe")),
        ("integrationsberatung", ("integration", "beratung")),
        ("ausbildungsplatzsuche", ("ausbildung", "platz", "suche")),
        ("beratung", ()),
        ("frauen", ()),
    ],
)
def test_compounds_split_into_dictionary_words(word: str, expected: tuple[str, ...]) -> None:
    assert compounds.parts(word) == expected


def test_synonyms_are_data_and_symmetric_for_courses() -> None:
    assert "integrationskurs" in german.synonyms("deutschkurs")
    assert "deutschkurs" in german.synonyms("integrationskurs")
