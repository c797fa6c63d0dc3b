"""The shared text toolkit: numbers, names and negation scopes."""

from __future__ import annotations

import pytest

from newsqa.text import (
    fold,
    name_found,
    names,
    negated_stems,
    number_values,
    refers_back,
    stem,
    tokens,
)


@pytest.mark.parametrize(
    ("text", "strict", "loose"),
    [
        ("the 49th state", {"#49"}, {"#49"}),
        ("the fourth largest family", {"#4"}, {"#4", "1/4"}),  # or "a fourth" of it
        ("two-thirds of the staff", {"2/3"}, {"2/3", "67%", "67"}),
        ("a third of the seats", {"1/3"}, {"1/3"}),
        ("three-quarters of staff", {"3/4"}, {"3/4", "75%", "75"}),
        ("1,500 people and 40 per cent", {"1500", "40%"}, {"1500", "40%", "40"}),
        ("over three million copies", {"3000000"}, {"3000000"}),
        ("a $1.5bn deal", {"1500000000"}, {"1500000000", "1.5"}),
        ("\u00a32.3m in fines", {"2300000"}, {"2300000", "2.3"}),
        ("the 100m final", {"100"}, {"100"}),  # metres: an "m" counts only after a currency
        ("raise output sevenfold", {"7"}, {"7"}),  # a multiple: "seven times"
        ("a 10-fold rise, manifold problems", {"10"}, {"10"}),
        ("wait a decade or two centuries", {"2"}, {"10", "2", "200"}),  # years, as evidence
        ("the 20th century", {"#20"}, {"#20"}),  # a date, not a span of 100 years
    ],
)
def test_number_values_tell_ordinals_fractions_and_counts_apart(
    text: str, strict: set[str], loose: set[str]
) -> None:
    assert number_values(text) == strict
    assert number_values(text, loose=True) == loose


def test_ordinal_is_not_the_count() -> None:
    assert number_values("three members") != number_values("the third member")


def test_names_skip_the_first_word_of_each_sentence_but_not_abbreviations() -> None:
    text = "Ana Ruiz spoke. However, Kyiv agreed. The U.S. Lab met Mr. Smith in 1990. Then Oslo."
    assert names(text) == {"ruiz", "kyiv", "lab", "mr", "smith", "oslo"}


def test_turned_down_negates_like_rejected() -> None:
    assert "plan" in negated_stems("The council turned down the plan.")
    assert "plan" in negated_stems("The council rejected the plan.")
    assert not negated_stems("The council turned the plan around.")


def test_whether_or_not_is_no_negation_and_acronym_plurals_are_one_name() -> None:
    assert not negated_stems("It tests whether or not the means are equal.")
    assert "equal" in negated_stems("The means are not equal.")
    assert names("Crews now plan five EVAs, and the EVA's length grew.") == {"eva"}


def test_digit_runs_that_are_no_single_number_are_kept_as_written() -> None:
    assert number_values("Release 1.202.4 shipped.") == {"1.202.4"}
    assert number_values("codes 1,2,3") == {"1,2,3"}
    assert number_values("1,500 men and 2,5 kg") == {"1500", "2.5"}


def test_digit_fractions_are_fractions() -> None:
    assert number_values("We don't use 2/3rds of the Earth.") == {"2/3"}
    assert number_values("two-thirds of the Earth") == {"2/3"}
    assert "67%" in number_values("2/3 of them", loose=True)


def test_names_match_with_or_without_diacritics() -> None:
    assert fold("Zürich, Ærøskøbing, Łódź, São Paulo") == "Zurich, AEroskobing, Lodz, Sao Paulo"
    assert names("The tunnel in Zürich opened.") == {"zurich"}
    assert names("Talks with Étienne Serres.") == {"etienne", "serres"}  # was "tienne"
    assert name_found("zurich", "the zürich tunnel opened.")
    assert name_found("zürich", "the zurich tunnel opened.")
    assert not name_found("zurich", "the bern tunnel opened.")
    # letters that fold to two ("Æ" -> "AE") do not shift where sentences end
    assert names("Ferries to Ærøskøbing and Æbeltoft left. However Olsen stayed.") == {
        "aeroskobing",
        "aebeltoft",
        "olsen",
    }


def test_tokens_keep_case_numbers_and_inner_marks() -> None:
    text = "Zürich's 1,500 new-build homes: 40% aren't sold [2]."
    assert tokens(text) == ["Zürich's", "1,500", "new-build", "homes", "40%", "aren't", "sold", "2"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Reports", "report"),
        ("running", "run"),
        ("Zürich's", "zürich"),
        ("O\u2019Brien", "o'brien"),
    ],
)
def test_stem_is_the_toolkit_stem_without_a_possessive(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(
    ("sentence", "back"),
    [
        ("It sank 25 per cent.", True),
        ("And this was the first time.", True),
        ("It was expected to pass.", True),  # the bill: "it" points back
        ("It is noted that the admiral flew to Washington.", False),  # a dummy "it"
        ("It is not clear whether he left.", False),
        ("The admiral flew to Washington.", False),
    ],
)
def test_refers_back_but_not_a_dummy_it(sentence: str, back: bool) -> None:
    assert refers_back(sentence) is back
