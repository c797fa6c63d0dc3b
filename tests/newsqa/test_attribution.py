"""Reported-speech detection: who says a sentence's claim."""

from __future__ import annotations

import pytest

from newsqa.attribution import (
    attributions,
    is_outlet_reference,
    is_pronoun,
    same_speaker,
    speaker_names,
    speaker_of,
    without_attribution,
)


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Magistrate Jones said the bail was refused.", "Magistrate Jones"),
        ("FBI agent Smith told reporters the man was armed.", "FBI agent Smith"),
        ("According to ABC News, the fire is contained.", "ABC News"),
        ('"It is about production," said Ann Lee, director of the group.', "Ann Lee"),
        ("The fire is contained, says the Rural Fire Service.", "the Rural Fire Service"),
        ("Last week the Bureau of Meteorology said rain was coming.", "the Bureau of Meteorology"),
        ("The company, which makes drones, said output rose.", "The company"),
        ("Mr Smith, who leads the party, says he is staying.", "Mr Smith"),
        ("Brian Greig, the new leader, told us he would stay.", "Brian Greig, the new leader"),
        ("Ukraine, the publication writes, needs a defence sector.", "the publication"),
        ("He said the plan would fail.", "He"),
        ("The man was told to leave.", None),
        ("The reported figure was 10.", None),
        ("Prices rose by 3 per cent in May.", None),
    ],
)
def test_speaker_of(text: str, speaker: str | None) -> None:
    assert speaker_of(text) == speaker


def test_named_speaker_is_preferred_to_a_pronoun_and_offsets_are_exact() -> None:
    text = "He said it was late. Police said 12 people were hurt."
    assert speaker_of(text) == "Police"
    found = attributions(text)
    assert [a.pronoun for a in found] == [True, False]
    for a in found:
        assert text[a.start : a.end] == a.speaker
        assert a.speaker in text[a.phrase[0] : a.phrase[1]]


def test_without_attribution_keeps_the_claim() -> None:
    assert without_attribution("According to ABC News, the fire is contained.") == (
        "the fire is contained."
    )
    assert without_attribution("Police said 12 people were hurt.") == "12 people were hurt."
    assert without_attribution("Nobody is quoted here.") == "Nobody is quoted here."


def test_speaker_comparison() -> None:
    assert speaker_names("Senator Brian Greig") == {"brian", "greig"}
    assert same_speaker("Senator Greig", "Brian Greig")
    assert not same_speaker("Magistrate Jones", "FBI agent Smith")
    assert same_speaker("the company", "company officials")
    assert not same_speaker("Magistrate Jones", "the court")
    assert is_outlet_reference("the publication") and not is_outlet_reference("ABC News")
    # the document itself: a newsgroup post, a blog, an op-ed column; "the Post" is a name
    assert is_outlet_reference("the post") and is_outlet_reference("the column")
    assert not is_outlet_reference("the Post") and not is_outlet_reference("the Washington Post")
    assert is_pronoun("She") and not is_pronoun("Shell")


def test_initials_stay_in_the_speaker() -> None:
    [found] = attributions("The sanctions will stay, said the U. S. envoy on Monday.")
    assert found.speaker == "the U. S. envoy"
    [found] = attributions("It works, said J. Smith.")
    assert found.speaker == "J. Smith"


def test_a_role_after_said_takes_the_name_given_after_it() -> None:
    [found] = attributions('"We are ready," said the director of the centre, Colonel Ana Ruiz.')
    assert found.speaker == "the director of the centre, Colonel Ana Ruiz"
    assert same_speaker(found.speaker, "Ana Ruiz")
    [found] = attributions('"We are ready," said the director, who was tired.')
    assert found.speaker == "the director"


def test_a_clause_subject_after_said_is_no_speaker() -> None:
    from newsqa.attribution import attributions

    found = attributions("The envoy, Ana Ruiz, said Chile and Peru were close to a deal.")
    assert [a.speaker for a in found] == ["Ana Ruiz"]
    assert [a.speaker for a in attributions("It is off, said Jo Lee and her lawyer.")] == ["Jo Lee"]


def test_a_numbered_noun_is_no_speaker() -> None:
    from newsqa.attribution import attributions

    assert attributions("Alaska was admitted as the 50th state of the union in 1959.") == []


def test_said_that_is_reported_speech_without_an_inverted_speaker() -> None:
    from newsqa.attribution import attributions

    found = attributions("The envoy, Ana Ruiz, said that previously, the plan was smaller.")
    assert [a.speaker for a in found] == ["Ana Ruiz"]
    assert [a.speaker for a in attributions("It is over, said the minister.")] == ["the minister"]


def test_an_instruction_is_no_reported_speech_but_an_asked_question_is() -> None:
    from newsqa.attribution import attributions

    assert attributions("The mayor told staff to close the gate.") == []
    assert attributions("He asked the court to dismiss the case.") == []
    found = attributions('Ana Ruiz asked, "where will the buses stop?"')
    assert [a.speaker for a in found] == ["Ana Ruiz"]
    assert [a.speaker for a in attributions("He told reporters that it was over.")] == ["He"]


def test_a_capitalised_verb_inside_a_name_is_no_reporting_verb() -> None:
    from newsqa.attribution import attributions

    assert attributions("Allies will send troops. The United States will be the backstop.") == []
    found = attributions("The United States will be the backstop, officials said.")
    assert [a.speaker for a in found] == ["officials"]
