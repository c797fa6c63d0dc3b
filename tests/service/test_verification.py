"""Sentence-level verification of generated answers."""

from __future__ import annotations

from typing import Any

import pytest

from newsqa.types import Chunk, DocumentMeta, ScoredChunk
from service.answering import Passage
from service.answering.verification import (
    content_stems,
    names,
    numbers,
    parse_answer,
    verify_answer,
)
from service.retrieval import hybrid_search

GRIPEN_CLAIM = "Kyiv has outlined an agreement to purchase up to 150 Swedish-made Gripen fighters."


@pytest.fixture(scope="module")
def gripen_passages(seed_state: Any) -> list[Passage]:
    hits = hybrid_search(seed_state, "How many Gripen fighters does Kyiv plan to buy?", 5)
    return [Passage(i + 1, h) for i, h in enumerate(hits)]


def _n_with(passages: list[Passage], text: str) -> int:
    return next(p.n for p in passages if text in p.hit.chunk.text)


def test_parse_answer_markers() -> None:
    text = "Kyiv plans 150 jets [1]. They are Swedish. [2][3] Costs are unknown [1, 4]."
    parsed = parse_answer(text)
    assert parsed == [
        ("Kyiv plans 150 jets.", [1]),
        ("They are Swedish.", [2, 3]),
        ("Costs are unknown.", [1, 4]),
    ]
    assert parse_answer("No markers here.") == [("No markers here.", [])]
    assert parse_answer("") == []


def test_features() -> None:
    assert numbers("up to 1,500 jets in 2025.") == {"1500", "2025"}
    assert names("Kyiv wants Gripen jets from Sweden") == {"gripen", "sweden"}
    assert content_stems("The fighters are buying") == ["fighter", "buy"]


def test_supported_sentence(seed_state: Any, gripen_passages: list[Passage]) -> None:
    n = _n_with(gripen_passages, "150")
    [s] = verify_answer(seed_state.embedder, f"{GRIPEN_CLAIM} [{n}]", gripen_passages)
    assert s.supported and s.citations == [n]
    chunk = gripen_passages[n - 1].hit.chunk
    sup = s.supports[0]
    assert chunk.start <= sup.start < sup.end <= chunk.end
    quote = chunk.text[sup.start - chunk.start : sup.end - chunk.start]
    assert "150" in quote and "Gripen" in quote


def test_marker_pointing_nowhere_is_dropped(
    seed_state: Any, gripen_passages: list[Passage]
) -> None:
    n = _n_with(gripen_passages, "150")
    [s] = verify_answer(seed_state.embedder, f"{GRIPEN_CLAIM} [{n}][9]", gripen_passages)
    assert s.citations == [n] and s.supported
    [only_bad] = verify_answer(seed_state.embedder, f"{GRIPEN_CLAIM} [9]", gripen_passages)
    assert only_bad.citations == [] and not only_bad.supported


@pytest.mark.parametrize(
    "claim",
    [
        "Kyiv has outlined an agreement to purchase up to 300 Swedish-made Gripen fighters.",
        "Kyiv has outlined an agreement to purchase 150 Rafale fighters from France.",
        "The price of wheat in Egypt doubled last year.",
        "PWNED",
    ],
)
def test_unsupported_sentences_are_flagged(
    seed_state: Any, gripen_passages: list[Passage], claim: str
) -> None:
    n = _n_with(gripen_passages, "150")
    [s] = verify_answer(seed_state.embedder, f"{claim} [{n}]", gripen_passages)
    assert not s.supported


def test_uncited_sentence_is_unsupported(seed_state: Any, gripen_passages: list[Passage]) -> None:
    [s] = verify_answer(seed_state.embedder, GRIPEN_CLAIM, gripen_passages)
    assert not s.supported


# ------------------------------------------------ align, then check locally: reasons per sentence

FIRE = (
    "Firefighters worked through the night near the town. The flare-up is not contained on its "
    "north-western flank, the Rural Fire Service said. There are now 211 detainees remaining "
    "at the centre. Some 180 guards work there. FBI agent Tom Baker said the suspect was armed. "
    "Magistrate Ann Lee adjourned the case. The sea-level estimate did not include melting "
    "Antarctic ice. The bowler finished with three for 89 on the first day."
)


def _passage(text: str, source: str = "", title: str = "") -> Passage:
    chunk = Chunk("c1", "d1", 0, text, 0, len(text))
    return Passage(1, ScoredChunk(chunk, DocumentMeta(title=title, source=source), 1.0))


@pytest.fixture(scope="module")
def embedder() -> Any:
    from newsqa.components.embeddings import get_embedder
    from newsqa.settings import Settings

    return get_embedder(Settings(_env_file=None))  # type: ignore[call-arg]


def _verify(embedder: Any, sentence: str, passage: Passage, **kw: Any) -> Any:
    [s] = verify_answer(embedder, f"{sentence} [1]", [passage], **kw)
    return s


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("The flare-up is contained on its north-western flank.", "polarity"),
        ("There are now 180 detainees remaining at the centre.", "number"),
        ("Magistrate Ann Lee said the suspect was armed.", "speaker"),
        ("The sea-level estimate included melting Antarctic ice.", "polarity"),
        ("Firefighters worked through the night because of melting Antarctic ice.", "added"),
        ("The bowler finished with four for 89 on the first day.", "number"),
    ],
)
def test_local_checks_reject_with_a_reason(embedder: Any, sentence: str, reason: str) -> None:
    s = _verify(embedder, sentence, _passage(FIRE))
    assert not s.supported
    assert any(r.startswith(reason) for r in s.reasons), s.reasons


@pytest.mark.parametrize(
    "sentence",
    [
        "The flare-up is not contained on its north-western flank.",
        "There are now 211 detainees remaining at the centre.",
        "FBI agent Tom Baker said the suspect was armed.",
        "The bowler finished with 3 for 89 on the first day.",
    ],
)
def test_faithful_sentences_pass_with_no_reasons(embedder: Any, sentence: str) -> None:
    s = _verify(embedder, sentence, _passage(FIRE))
    assert s.supported and s.reasons == [], s.reasons


LEAGUE = (
    "The club signed two coaches, Ana Ruiz, who went on to win the regional cup, and Bo Lind, "
    "who became a commentator. The city was admitted as the 12th member of the league in 1990. "
    "Women make up two-thirds of the players but hold a third of the board seats. "
    "Fans travelled from Oslo, Bergen and Tromso to see the final, the club's chairman said. "
    "A keeper is paid by the goal, whereas a striker is paid by the clean sheet. "
    'Coach Bo Lind promised, "every seat will be free on opening day." '
    "The council turned down the stadium plan on Monday. If no sponsor is found, the club "
    "keeps its old ground. Mayor Eva Holm spoke first. She said the vote was close."
)


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("The club signed Bo Lind, who went on to win the regional cup.", "role"),
        ("The city was admitted as the 13th member of the league in 1990.", "number"),
        ("Women make up three-quarters of the players.", "number"),
        ("If no sponsor is found, the club does not keep its old ground.", "polarity"),
        ("The club signed coaches through a scheme run by the Northern Sports Department.", "name"),
        ("Fans travelled from Oslo, Bergen and Malmo to see the final.", "role"),
        ("A striker is paid by the goal, whereas a keeper is paid by the clean sheet.", "role"),
        ('Eva Holm said, "every seat will be free on opening day."', "speaker"),
    ],
)
def test_swaps_ordinals_fractions_and_names_are_caught(
    embedder: Any, sentence: str, reason: str
) -> None:
    s = _verify(embedder, sentence, _passage(LEAGUE))
    assert not s.supported
    assert any(r.startswith(reason) for r in s.reasons), s.reasons


@pytest.mark.parametrize(
    "sentence",
    [
        "The club signed Ana Ruiz, who went on to win the regional cup.",
        "The city was admitted as the twelfth member of the league in 1990.",
        "Women hold one-third of the board seats.",
        "The council rejected the stadium plan on Monday.",
        "Eva Holm said the vote was close.",
        "Fans travelled from Bergen and Oslo to see the final.",
        "A striker is paid by the clean sheet, whereas a keeper is paid by the goal.",
        'Bo Lind promised, "every seat will be free on opening day."',
        "The club's chairman, Per Berg, said fans travelled from Oslo, Bergen and Tromso.",
    ],
)
def test_restatements_of_ordinals_fractions_and_pronoun_speakers_pass(
    embedder: Any, sentence: str
) -> None:
    s = _verify(embedder, sentence, _passage(LEAGUE))
    assert s.supported, s.reasons


FESTIVAL = (
    "The play casts the head steward Ana Sol (Per Dahl) and the gate warden Lise Berg (Tor Nes). "
    "Volunteers sorted tickets, badges and wristbands before the doors opened. "
    "In daylight, visitors queue at the north gate, whereas after dark they queue at the south "
    'gate. Marta Lund asked, "where will the late buses stop tonight?" The new stage proved '
    "successful, and the council approved a second one."
)


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Per Dahl plays the gate warden Lise Berg, while Tor Nes plays the head steward.", "role"),
        ("Volunteers sorted tickets, badges, wristbands and lanyards.", "added detail"),
        (
            "After dark, visitors queue at the north gate, whereas in daylight they queue at the "
            "south gate.",
            "role",
        ),  # fmt: skip
        ('Per Dahl asked, "where will the late buses stop tonight?"', "speaker"),
        ("Tickets, badges and lanyards were sorted by volunteers.", "added detail"),
        ("The new stage proved unsuccessful.", "polarity"),
        ("The council rejected a second stage.", "polarity"),
    ],
)
def test_crossed_pairs_added_list_members_and_asked_quotes_are_caught(
    embedder: Any, sentence: str, reason: str
) -> None:
    s = _verify(embedder, sentence, _passage(FESTIVAL))
    assert not s.supported
    assert any(r.startswith(reason) for r in s.reasons), s.reasons


@pytest.mark.parametrize(
    "sentence",
    [
        "Per Dahl plays the head steward Ana Sol, while Tor Nes plays the gate warden Lise Berg.",
        "Volunteers sorted badges, tickets and wristbands.",
        "After dark visitors queue at the south gate, whereas in daylight they queue at the north "
        "gate.",
        'Marta Lund asked, "where will the late buses stop tonight?"',
        "Tickets, badges and wristbands were sorted by volunteers.",
        "The new stage was a success, and the council approved a second stage.",
    ],
)
def test_uncrossed_pairs_lists_and_quotes_pass(embedder: Any, sentence: str) -> None:
    s = _verify(embedder, sentence, _passage(FESTIVAL))
    assert s.supported, s.reasons


def test_a_compound_is_read_as_its_parts(embedder: Any) -> None:
    text = "A U.S.-British air raid in southern Iraq left eight civilians dead, officials said."
    question = "How many civilians were killed in the US-British air raid?"
    claim = "The US-British air raid in southern Iraq killed eight civilians."
    s = _verify(embedder, claim, _passage(text), question=question)
    assert s.supported, s.reasons


def test_names_beside_the_span_count_only_when_borrowing_and_nothing_is_displaced(
    embedder: Any,
) -> None:
    from service.verify.config import VerifyConfig

    rain = "Rain fell all week and the river rose."
    text = f"The mayor is Eva Holm. {rain} The mayor opened the new harbour bridge on Monday."
    displaced = text.replace("The mayor opened", "Deputy Tor Nes opened")
    joined = "Mayor Eva Holm opened the new harbour bridge on Monday."
    strict, loose = VerifyConfig(borrow_names=False), VerifyConfig(borrow_names=True)
    assert not _verify(embedder, joined, _passage(text), config=strict).supported
    assert _verify(embedder, joined, _passage(text), config=loose).supported
    assert not _verify(embedder, joined, _passage(displaced), config=loose).supported


def test_a_claim_joining_three_sentences_aligns_to_all_three(embedder: Any) -> None:
    from service.verify.config import VerifyConfig

    text = (
        "The Lark Society was formed in 1839. Its members were mostly teachers. "
        "When the school tax was repealed in 1848 the society was disbanded."
    )
    claim = (
        "Formed in 1839, the Lark Society, whose members were mostly teachers, "
        "was disbanded in 1848."
    )
    wide, narrow = VerifyConfig(span_sentences=3), VerifyConfig(span_sentences=2)
    ok = _verify(embedder, claim, _passage(text), config=wide)
    assert ok.supported, ok.reasons
    assert not _verify(embedder, claim, _passage(text), config=narrow).supported


def test_the_outlet_is_evidence_for_attribution(embedder: Any) -> None:
    passage = _passage(FIRE, source="Coast Herald")
    ok = _verify(embedder, "According to the Coast Herald, there are now 211 detainees.", passage)
    assert ok.supported, ok.reasons
    bad = _verify(embedder, "According to the Daily Planet, there are now 211 detainees.", passage)
    assert not bad.supported and bad.reasons[0].startswith("speaker")


def test_the_support_span_is_the_aligned_sentence(embedder: Any) -> None:
    passage = _passage(FIRE)
    s = _verify(embedder, "FBI agent Tom Baker said the suspect was armed.", passage)
    quote = FIRE[s.supports[0].start : s.supports[0].end]
    assert quote == "FBI agent Tom Baker said the suspect was armed."


def test_a_quote_pins_the_span(embedder: Any) -> None:
    passage = _passage(FIRE)
    text = "Officials said the case was adjourned [1]."
    [s] = verify_answer(embedder, text, [passage], quotes=["Magistrate Ann Lee adjourned the case"])
    assert FIRE[s.supports[0].start : s.supports[0].end] == "Magistrate Ann Lee adjourned the case."


def test_uncited_and_dangling_markers_say_why(embedder: Any) -> None:
    [s] = verify_answer(embedder, "There are now 211 detainees.", [_passage(FIRE)])
    assert not s.supported and s.reasons == ["no citation"]
    [s] = verify_answer(embedder, "There are now 211 detainees [7].", [_passage(FIRE)])
    assert not s.supported and s.reasons == ["cites no retrieved passage"]


# ------------------------------------------------------------------- the entailment judge


def test_judge_has_the_last_word_and_its_time_is_reported(embedder: Any) -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from service.verify.entailment import EntailmentJudge

    passage = _passage(FIRE)
    good = "FBI agent Tom Baker said the suspect was armed [1]."
    bad = "The flare-up is contained on its north-western flank [1]."
    judge = EntailmentJudge(FakeListChatModel(responses=["yes", "No."]))  # its check, then
    timings: dict[str, float] = {}
    s1, s2 = verify_answer(embedder, f"{good} {bad}", [passage], judge=judge, timings=timings)
    assert not s1.supported and s1.reasons == ["entailment judge: unsupported"]
    assert not s2.supported and s2.reasons[0].startswith("polarity")  # never asked
    assert "judge" in timings and timings["judge"] >= 0.0
    yes = EntailmentJudge(FakeListChatModel(responses=["yes", "yes"]))
    [s] = verify_answer(embedder, good, [passage], judge=yes)
    assert s.supported
    unsure = EntailmentJudge(FakeListChatModel(responses=["yes", "It is supported, I think."]))
    [s] = verify_answer(embedder, good, [passage], judge=unsure)
    assert not s.supported and s.reasons == ["entailment judge: unknown"]


def test_three_sentence_answer_verifies_under_20_ms(embedder: Any) -> None:
    """Issue 12: verifying a 3-sentence answer without a judge takes < 20 ms. The sentences'
    vectors are computed first (one batched call, as ``verify_answer`` does; the model's own
    cost depends on the machine), then the alignment and checks are timed: best of 5 runs."""
    import time

    passage = _passage(FIRE, source="Coast Herald")
    text = (
        "There are now 211 detainees remaining at the centre [1]. "
        "FBI agent Tom Baker said the suspect was armed [1]. "
        "The bowler finished with 3 for 89 on the first day [1]."
    )
    verify_answer(embedder, text, [passage])  # vectors of the passage and the sentences
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        out = verify_answer(embedder, text, [passage])
        best = min(best, (time.perf_counter() - t) * 1000.0)
    assert [s.supported for s in out] == [True, True, True]
    assert best < 20.0, f"{best:.1f} ms"


def test_a_number_or_name_restated_from_a_sentence_off_the_span(embedder: Any) -> None:
    """A claim may take a number from a sentence apart from the rest (not beside it): it counts
    when that sentence also holds the claim's words around the number; the same number in a
    sentence about something else does not."""
    from service.verify.config import VerifyConfig

    text = (
        "Harbour Tales is a picture book by Mira Stone, first printed in 1990. "
        "A second edition followed in 2001. Over two million copies have been sold. "
        "The city library lent it 40 times last year."
    )
    claim = "Mira Stone's picture book Harbour Tales has sold over 2 million copies."
    on, off = VerifyConfig(anchor_reach=4), VerifyConfig(anchor_reach=0)
    ok = _verify(embedder, claim, _passage(text), config=on)
    assert ok.supported, ok.reasons
    missed = _verify(embedder, claim, _passage(text), config=off)
    assert not missed.supported and missed.reasons[0].startswith("number")
    changed = "Mira Stone's picture book Harbour Tales has sold over 40 copies."
    assert not _verify(embedder, changed, _passage(text), config=on).supported


HARBOUR = (
    "The old bridge was designed by Ada Frey in 1901, and the harbour tower by Jon Malm in 1910. "
    "Ferries sail to Lena Island in summer and to Mora Point in winter."
)


@pytest.mark.parametrize(
    ("sentence", "ok"),
    [
        ("The old bridge was designed by Jon Malm, and the harbour tower by Ada Frey.", False),
        ("Ada Frey designed the old bridge in 1901 and Jon Malm the harbour tower.", True),
        ("In winter ferries sail to Mora Point, and in summer to Lena Island.", True),
    ],
)
def test_names_linked_to_each_others_words_are_caught(
    embedder: Any, sentence: str, ok: bool
) -> None:
    """ "X by A ... Y by B" restated as "X by B ... Y by A": each name is linked (by the same
    preposition) to the other's word."""
    s = _verify(embedder, sentence, _passage(HARBOUR))
    assert s.supported is ok, s.reasons
    assert ok or any(r.startswith("role") for r in s.reasons), s.reasons
