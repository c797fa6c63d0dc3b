"""The wording of extractive answer sentences: who claims them, once per run of an outlet.

Texts are written for these tests (invented people and outlets), not taken from the corpus.
"""

from __future__ import annotations

import pytest

from newsqa.wording import ATTRIBUTION_PREFIX, attribute_sentence, attributed_once, without_prefix


def test_wording_names_speaker_and_outlet() -> None:
    text = (
        "As the Evening Courier wrote:\nFarmers are leasing fields.\nOur view: this will not last."
    )
    span = (text.index("Farmers"), text.index("fields.") + 7)
    worded = attribute_sentence("Farmers are leasing fields.", "Blog Weekly", text, span)
    assert worded == "Blog Weekly, quoting Evening Courier: Farmers are leasing fields."
    relay = "Ports are full, the Harbour Gazette reports, writes Daily Planet.\nShips wait."
    span = (relay.index("Ships"), len(relay))
    assert (
        attribute_sentence("Ships wait.", "Daily Planet", relay, span)
        == "According to Harbour Gazette (reported by Daily Planet), Ships wait."
    )
    said = "Mayor Ola Dahl said the port is full."
    assert attribute_sentence(said, "Daily Planet") == said
    assert attribute_sentence("The port is full.", "Daily Planet") == (
        "According to Daily Planet, the port is full."
    )
    assert attribute_sentence("The port is full.", "unknown") == "The port is full."
    named = "The Daily Planet counted 40 ships."
    assert attribute_sentence(named, "Daily Planet") == named


def test_linking_word_stays_in_front_of_the_attribution() -> None:
    assert attribute_sentence("But the port stayed open.", "Daily Planet") == (
        "But according to Daily Planet, the port stayed open."
    )
    worded = attribute_sentence("However, the ships left.", "Daily Planet")
    assert worded == "However, according to Daily Planet, the ships left."
    match = ATTRIBUTION_PREFIX.match(worded)
    assert match is not None and match.group("who") == "Daily Planet"
    assert without_prefix(worded, match) == "However, the ships left."


def test_a_run_of_one_outlets_sentences_is_attributed_once() -> None:
    planet = [
        attribute_sentence(s, "Daily Planet")
        for s in ("The port is full.", "But the ships wait.", "The mayor is away.")
    ]
    courier = attribute_sentence("The port is empty.", "Evening Courier")
    out = attributed_once([*planet, courier, attribute_sentence("It rained.", "Daily Planet")])
    assert out == [
        "According to Daily Planet, the port is full.",
        "But the ships wait.",
        "The mayor is away.",
        "According to Evening Courier, the port is empty.",
        "According to Daily Planet, it rained.",
    ]
    said = "Mayor Ola Dahl said the port is full."  # names its speaker: never re-worded
    assert attributed_once([planet[0], said, planet[2]]) == [planet[0], said, planet[2]]


def test_a_sentence_that_names_its_source_is_left_as_it_is() -> None:
    for said in ("But according to the mayor, the port is full.", "According to data, it fell."):
        assert attribute_sentence(said, "Daily Planet") == said


def test_a_number_word_that_opens_a_sentence_is_lower_cased_after_the_attribution() -> None:
    from newsqa.wording import _according

    said = _according("ABC News", "Three of the senators may leave.")
    assert said == "According to ABC News, three of the senators may leave."
    assert _according("ABC News", "Kyiv agreed.") == "According to ABC News, Kyiv agreed."


def test_a_common_word_of_the_article_is_lower_cased_after_the_attribution() -> None:
    from newsqa.wording import _lower_first

    context = "Security guarantees are necessary. Without security, no deal holds. Fees rose."
    said = attribute_sentence("Security guarantees are necessary.", "X", context, (0, 34))
    assert said == "According to X, security guarantees are necessary."
    # capitalised inside a sentence ("the Security Council"): a name, kept
    named = context + " The Security Council met on Monday."
    assert _lower_first("Security Council members met.", named).startswith("Security")
    assert _lower_first("Kyiv agreed.", "Kyiv agreed. In Kyiv, it rained.") == "Kyiv agreed."
    assert _lower_first("Fees rose.", context) == "Fees rose."  # never written in lower case
    # written in lower case in another form ("share" beside "Shares"): a common word too
    shares = "Shares in Nordwell fell 7 percent. The share buyback goes on."
    assert _lower_first("Shares in Nordwell fell.", shares) == "shares in Nordwell fell."
    assert _lower_first("Paris agreed.", "Paris agreed. The pari-mutuel rose.") == "Paris agreed."


def test_a_linking_adverb_and_its_comma_stay_in_front() -> None:
    from newsqa.wording import ATTRIBUTION_PREFIX, _according

    said = _according("The Times", "Instead, the coalition is focusing on the air.")
    assert said == "Instead, according to The Times, the coalition is focusing on the air."
    match = ATTRIBUTION_PREFIX.match(said)
    assert match is not None and match.group("opener") == "Instead"
    assert (
        _according("X", "Instead the talks failed.") == "According to X, instead the talks failed."
    )
    # a name followed by a comma is no linking word
    assert _according("X", "Italy, France and Spain agreed.").startswith("According to X, Italy")


def test_common_openers_are_lower_cased_after_the_attribution() -> None:
    worded = attribute_sentence("Cash-strapped AMP will raise capital.", "Daily Planet")
    assert worded == "According to Daily Planet, cash-strapped AMP will raise capital."
    worded = attribute_sentence("Created under a charter in 988, it is old.", "Daily Planet")
    assert worded == "According to Daily Planet, created under a charter in 988, it is old."
    # a name stays a name: followed by no preposition, or capitalised inside the article
    worded = attribute_sentence("Mohammed was not there.", "Daily Planet")
    assert worded == "According to Daily Planet, Mohammed was not there."
    text = "Police saw Long-Range Patrols. Long-range patrols stopped."
    worded = attribute_sentence("Long-range patrols stopped.", "Daily Planet", text, (31, 58))
    assert worded.startswith("According to Daily Planet, long-range")
    text = "The Red-haired League met. Red-haired men came in."
    worded = attribute_sentence("Red-haired men came in.", "Daily Planet", text, (27, 50))
    assert worded.startswith("According to Daily Planet, Red-haired")  # "the Red-haired League"


@pytest.mark.parametrize(
    ("sentence", "worded"),
    [
        ('The US will be the backstop," Rutte said.', '"The US will be the backstop," Rutte said.'),
        ('"We will hold the line.', 'According to Daily Planet, "We will hold the line."'),
        ("He said \u201cwe will hold.", "He said \u201cwe will hold.\u201d"),
        ('The 12" gun was fired, Rutte said.', 'The 12" gun was fired, Rutte said.'),
        ('"It is over," Rutte said.', '"It is over," Rutte said.'),
    ],
)
def test_a_quotation_cut_by_the_sentence_is_closed(sentence: str, worded: str) -> None:
    assert attribute_sentence(sentence, "Daily Planet") == worded
