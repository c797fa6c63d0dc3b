"""Who claims what: speakers and reporting outlets of cited spans, and answer wording.

Texts are written for these tests (invented people and outlets), not taken from the corpus.
"""

from __future__ import annotations

import pytest

from newsqa.claims import Claim, claim_of, relayed_source, sentence_speakers


def claim(text: str, sentence: str, outlet: str | None = "Daily Planet") -> Claim:
    start = text.index(sentence)
    return claim_of(text, start, start + len(sentence), outlet)


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ('"We will build the bridge," said Maria Olsen, the mayor of Tarnby.', "Maria Olsen"),
        ("According to the Harbour Institute, exports fell by 4%.", "Harbour Institute"),
        ("Governor Alan Price on Tuesday also said the road would reopen.", "Governor Alan Price"),
        ("Jon Berg, a port official, explains that ships wait for days.", "Jon Berg"),
        ("Lena Holm has stated that the budget is final.", "Lena Holm"),
        ("Trade grew faster than in the United States last year.", None),
        ("A new suggested route avoids the old town.", None),
    ],
)
def test_named_speakers_in_one_sentence(sentence: str, speaker: str | None) -> None:
    found = claim(sentence, sentence)
    if speaker is None:
        assert found == Claim("Daily Planet", None, "outlet")
    else:
        assert found == Claim(speaker, "Daily Planet", "sentence")


def test_the_outlet_speaks_only_when_no_one_else_is_named() -> None:
    text = "The council met on Monday. Taxes will rise next year."
    assert claim(text, "Taxes will rise next year.") == Claim("Daily Planet", None, "outlet")
    assert claim(text, "Taxes will rise next year.", "unknown") == Claim(None, None, "none")
    own = "The Daily Planet reports that taxes will rise."
    assert claim(own, own) == Claim("Daily Planet", None, "outlet")


def test_a_pronoun_or_nameless_subject_takes_the_speaker_before() -> None:
    text = (
        "Nordvik Steel, the largest employer in the valley, said it would hire 200 people. "
        "The company says it makes ten tonnes a day."
    )
    assert claim(text, "The company says it makes ten tonnes a day.").speaker == "Nordvik Steel"


def test_a_quote_block_takes_its_introduction_or_credit_line() -> None:
    text = (
        "The blog disagrees with everyone.\n"
        "As the Evening Courier wrote yesterday:\n"
        "Farms Turn to Solar ( archived) - Evening Courier\n"
        "Farmers are leasing fields to solar companies.\n"
        "That is underlined by an op-ed by the former minister Ida Ruud in the Morning Star:\n"
        "Why farms need the sun - Ida Ruud / Morning Star\n"
        "Rents from panels beat wheat prices.\n"
        "Prices rose again in May."
    )
    got = claim(text, "Farmers are leasing fields to solar companies.", "Blog Weekly")
    assert got == Claim("Evening Courier", "Blog Weekly", "quoted")
    got = claim(text, "Rents from panels beat wheat prices.", "Blog Weekly")
    assert got == Claim("Ida Ruud (Morning Star)", "Blog Weekly", "quoted")
    far = "\n".join(["Intro by Ida Ruud in the Morning Star:"] + ["Filler line."] * 5 + ["Last."])
    assert claim(far, "Last.", "Blog Weekly").how == "outlet"  # out of the block's reach


def test_an_article_relaying_another_outlet_lends_it_to_plain_sentences() -> None:
    text = (
        "Ports are full, the Harbour Gazette reports, writes Daily Planet.\n"
        "Ships wait for ten days.\n"
        '"It is chaos," said Ola Dahl.'
    )
    assert relayed_source(text, "Daily Planet") == "Harbour Gazette"
    assert claim(text, "Ships wait for ten days.") == Claim(
        "Harbour Gazette", "Daily Planet", "relayed"
    )
    assert claim(text, '"It is chaos," said Ola Dahl.').speaker == "Ola Dahl"
    assert relayed_source(text, "unknown") is None


def test_sentence_speakers_are_in_order() -> None:
    text = "The Weekly Post writes about this, Radio Nord reports."
    assert sentence_speakers(text) == ["The Weekly Post", "Radio Nord"]


def test_a_quotation_that_goes_on_over_several_sentences_keeps_its_speaker() -> None:
    from newsqa.claims import claim_of, open_quote

    text = (
        'The minister spoke on Monday. "We will not retreat," said Ana Ruiz, the defence '
        'minister. "Our army is ready. Nobody can doubt it," she added.\n'
        'Next paragraph. "The talks failed. Both sides blame each other," Piotr Nowak said.'
    )

    def who(fragment: str) -> tuple[str | None, str]:
        at = text.find(fragment)
        claim = claim_of(text, at, text.find(".", at) + 1, "UNN")
        return claim.speaker, claim.how

    assert who("Our army is ready") == ("Ana Ruiz", "quoted")  # named before the quote opened
    assert who("The talks failed") == ("Piotr Nowak", "quoted")  # named where it closes
    assert who("Next paragraph") == ("UNN", "outlet")  # no quotation open: the outlet's own
    assert open_quote(text, text.find("Next")) is None  # a quotation ends with its paragraph


def test_a_sentence_that_opens_a_quotation_closed_later_takes_its_credit() -> None:
    """A sentence span that starts at the opening mark of a quotation closed in a later
    sentence: the credit where it closes ("she said": the one named before; "the publication
    says": the outlet's), not the outlet (a probe's answer gave an analyst's words to it)."""
    from newsqa.claims import claim_of

    text = (
        "Analyst Fiona Castell of Brightwater said the cut was larger than expected. "
        '"The market had priced in a weak quarter. The question now is the plant," she said.\n\n'
        "Mayor Jan Berg spoke on Monday.\n\n"
        '"Without the bridge, the town is cut off. Ferries are too slow," the newspaper says.'
    )

    def who(fragment: str) -> tuple[str | None, str]:
        at = text.find(fragment) - 1  # the opening quotation mark
        claim = claim_of(text, at, text.find(".", at) + 1, "Wire")
        return claim.speaker, claim.how

    assert who("The market had priced") == ("Analyst Fiona Castell of Brightwater", "quoted")
    assert who("Without the bridge")[0] != "Mayor Jan Berg"  # the newspaper's, not his


def test_a_sentence_cut_from_a_quotation_is_quoted_whole() -> None:
    from newsqa.wording import attribute_sentence

    text = '"We will not retreat," said Ana Ruiz. "Our army is ready. Nobody can doubt it."'
    at = text.find("Nobody")
    worded = attribute_sentence(text[at:], "UNN", text, (at, len(text)))
    assert worded == 'UNN, quoting Ana Ruiz: "Nobody can doubt it."'


def test_a_capitalised_pronoun_is_no_speaker() -> None:
    """ "It also announced ..." gave the speaker "It" (a probe's source card)."""
    from newsqa.attribution import speaker_names
    from newsqa.claims import claim_of

    text = "Nordwell cut its forecast on Thursday. It also announced it would close a plant."
    at = text.index("It also")
    assert claim_of(text, at, len(text), "Business Ledger").speaker != "It"
    assert speaker_names("It") == set() and speaker_names("They") == set()
