"""The Streamlit app driven by ``streamlit.testing.v1.AppTest`` against the stand-in API."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
GRIPEN_Q = "How many Gripen fighters does Kyiv plan to buy?"
CARD = '[1] "Steel Porcupine": Ukraine\'s Plan B — UNN, quoting Politico'


def start(monkeypatch: pytest.MonkeyPatch, url: str) -> AppTest:
    monkeypatch.setenv("NEWSQA_API_URL", url)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input(key="chat_input").set_value(question).run()
    assert not at.exception, at.exception
    return at


def markdown(at: Any) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_first_page_shows_corpus_engine_and_examples(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, _ = standin
    at = start(monkeypatch, url)
    assert at.title[0].value == "Ask the news"
    assert "**2** documents · **3** chunks" in markdown(at.sidebar)
    assert any("Engine: **standin**" in c.value for c in at.sidebar.caption)
    assert at.multiselect(key="filter_sources").options == ["The Times", "UNN"]
    assert at.slider(key="top_k").value == 5
    assert at.button(key="example-0").label == GRIPEN_Q
    assert not at.error


def test_answer_streams_in_with_linked_markers_and_source_cards(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, stand = standin
    at = ask(start(monkeypatch, url), GRIPEN_Q)
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    answer = at.chat_message[1].markdown[0].value
    assert "Kyiv plans to buy up to 150 Saab JAS-39E Gripen fighters." in answer
    assert 'href="#src-1-1"' in answer and "&#91;1&#93;</a>" in answer
    card = [e for e in at.expander if e.label == CARD]
    assert card, [e.label for e in at.expander]
    text = markdown(card[0])
    assert "**UNN** · 2025-09-03 · [open article ↗](https://unn.ua/en/news/steel-porcupine)" in text
    assert (
        ">Kyiv has outlined an agreement to purchase up to 150 Swedish-made Saab JAS-39E "
        "Gripen fighters.</mark>" in text
    )
    assert 'id="src-1-1"' in markdown(at)
    assert stand.requests[-1]["question"] == GRIPEN_Q and stand.requests[-1]["history"] == []
    assert at.chat_message[1].caption[0].value == "engine: standin · 42 ms"


def test_follow_up_sends_history_filters_and_top_k(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, stand = standin
    at = ask(start(monkeypatch, url), GRIPEN_Q)
    at.multiselect(key="filter_sources").set_value(["UNN"])
    at.date_input(key="filter_from").set_value(date(2025, 9, 1))
    at.slider(key="top_k").set_value(3)
    ask(at, "And who makes them, the Gripen?")
    sent = stand.requests[-1]
    assert sent["top_k"] == 3
    assert sent["filters"] == {"source": ["UNN"], "published_from": "2025-09-01"}
    assert sent["history"] == [
        {"role": "user", "content": GRIPEN_Q},
        {
            "role": "assistant",
            "content": "Kyiv plans to buy up to 150 Saab JAS-39E Gripen fighters. [1]",
        },
    ]
    assert len(at.chat_message) == 4 and 'href="#src-3-1"' in at.chat_message[3].markdown[0].value


def test_unsupported_sentences_are_flagged(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, _ = standin
    at = ask(start(monkeypatch, url), "Is Ukraine a porcupine?")
    answer = at.chat_message[1].markdown[0].value
    assert answer.count('class="unsupported"') == 1
    assert "It will have the largest army in the world. <small" in answer
    assert "(not supported)" in answer
    assert any("1 sentence not supported" in c.value for c in at.chat_message[1].caption)
    # a tentative answer says so; a confident one does not
    assert any("weaker evidence" in c.value for c in at.chat_message[1].caption)
    at = ask(start(monkeypatch, url), "How many Gripen fighters?")
    assert not any("weaker evidence" in c.value for c in at.chat_message[1].caption)


def test_sources_dont_say_looks_different_and_shows_closest(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, _ = standin
    at = ask(start(monkeypatch, url), "What is the weather in Paris?")
    reply = at.chat_message[1]
    assert len(reply.warning) == 1 and "The sources don't say" in reply.warning[0].value
    assert not any('class="answer"' in m.value for m in reply.markdown)
    labels = [e.label for e in reply.expander]
    assert labels == [
        'Closest 1: "Steel Porcupine": Ukraine\'s Plan B — UNN',
        "Closest 2: Europe weighing four options — The Times",
    ]
    assert "**Closest sources**" in markdown(reply)


def test_a_refusal_shows_what_verification_removed_and_why(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, _ = standin
    at = ask(start(monkeypatch, url), "Was anything removed about the jets?")
    reply = at.chat_message[1]
    assert len(reply.warning) == 1 and "The sources don't say" in reply.warning[0].value
    removed = [e for e in reply.expander if e.label.startswith("Removed by verification")]
    assert [e.label for e in removed] == ["Removed by verification (1)"]
    text = markdown(removed[0])
    assert "Kyiv will buy 900 jets." in text and "number: 900 not in the cited text" in text
    assert not any('class="answer"' in m.value for m in reply.markdown)  # never as an answer


def test_feedback_is_sent_with_question_answer_citations(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, stand = standin
    at = ask(start(monkeypatch, url), GRIPEN_Q)
    at.text_input(key="fb-comment-1").input("precise")
    at.button(key="fb-up-1").click().run()
    assert not at.exception
    assert len(stand.feedback) == 1
    sent = stand.feedback[0]
    assert sent["question"] == GRIPEN_Q and sent["rating"] == "up" and sent["comment"] == "precise"
    assert sent["answer"].endswith("[1]") and sent["citations"][0]["doc_id"] == "d1"
    assert any("Thanks for the feedback (saved as #1)" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "fb-up-1"]  # rated once


def test_example_question_and_clear_chat(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, stand = standin
    at = start(monkeypatch, url)
    at.button(key="example-0").click().run()
    assert stand.requests[-1]["question"] == GRIPEN_Q
    assert len(at.chat_message) == 2 and at.session_state["messages"][0]["content"] == GRIPEN_Q
    at.button(key="clear_chat").click().run()
    assert not at.chat_message and at.session_state["messages"] == []


def test_add_article_by_pasting_then_ask_about_it(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, stand = standin
    at = start(monkeypatch, url)
    at.text_area(key="add_text").input("Too short")
    at.button(key="add_submit").click().run()
    assert "Not added: no article text left after cleaning" in at.sidebar.error[0].value

    text = "Zanzibar opened a desalination plant for the whole archipelago. It cost $40m."
    at.text_area(key="add_text").input(text)
    at.text_input(key="add_title").input("Zanzibar water")
    at.text_input(key="add_source").input("Coast Week")
    at.button(key="add_submit").click().run()
    assert not at.exception
    success = at.sidebar.success[0].value
    assert success.startswith("Added: “Zanzibar water” — Coast Week · 2 chunks (id ")
    assert "**3** documents" in markdown(at.sidebar)
    assert at.text_area(key="add_text").value == "" and at.text_input(key="add_title").value == ""
    assert stand.added_bodies[-1] == {
        "text": text,
        "title": "Zanzibar water",
        "source": "Coast Week",
    }

    ask(at, "What did Zanzibar open?")
    assert "desalination plant" in at.chat_message[1].markdown[0].value
    assert "[1] Zanzibar water — Coast Week" in [e.label for e in at.expander]


def test_api_down_shows_banner_and_nothing_crashes(dead_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    at = start(monkeypatch, dead_url)
    banner = at.error[0].value
    assert "not reachable" in banner and dead_url in banner
    assert "newsqa serve" in banner and "make run" in banner
    assert "API not reachable" in [c.value for c in at.sidebar.caption]
    ask(at, GRIPEN_Q)
    assert any("newsqa serve" in e.value for e in at.chat_message[1].error)
    at.button(key="retry_api").click().run()
    assert not at.exception


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("please explode", "The API could not answer (503): the index is empty"),
        ("midstream failure", "The API could not answer (502): the LLM backend failed"),
    ],
)
def test_api_errors_are_shown_not_raised(standin, monkeypatch, question, expected) -> None:  # type: ignore[no-untyped-def]
    url, _ = standin
    at = ask(start(monkeypatch, url), question)
    assert expected in at.chat_message[1].error[0].value
    ask(at, GRIPEN_Q)  # the chat goes on
    assert 'href="#src-3-1"' in at.chat_message[3].markdown[0].value


def test_list_answer_follow_up_and_who_says_it(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, stand = standin
    question = "What are the four options Europe is weighing?"
    at = ask(start(monkeypatch, url), question)
    answer = at.chat_message[1].markdown[0].value
    assert answer.count('<ul class="answer-list">') == 1 and answer.count("<li>") == 4
    assert '<li>Police the skies from above.<a class="cite" data-n="3"' in answer

    ask(at, "And which of them does Russia oppose?")
    assert stand.requests[-1]["history"][0] == {"role": "user", "content": question}
    assert "Moscow rejects foreign troops" in at.chat_message[3].markdown[0].value

    ask(at, GRIPEN_Q)
    card = [e for e in at.chat_message[5].expander if e.label == CARD]
    assert "Who says it: **Politico** · reported by **UNN**" in markdown(card[0])


def test_a_chosen_outlet_stays_chosen_while_the_api_is_down(  # type: ignore[no-untyped-def]
    standin, dead_url, monkeypatch
) -> None:
    """The outlet list comes from the API: while it is unreachable the chosen outlet stays in
    the filter (it was reset to all sources, and the next answer searched everything)."""
    url, stand = standin
    at = start(monkeypatch, url)
    outlet = at.multiselect(key="filter_sources").options[0]
    at.multiselect(key="filter_sources").select(outlet).run()
    monkeypatch.setenv("NEWSQA_API_URL", dead_url)
    at.run()
    assert at.multiselect(key="filter_sources").value == [outlet]
    monkeypatch.setenv("NEWSQA_API_URL", url)
    ask(at.run(), GRIPEN_Q)
    assert stand.requests[-1]["filters"] == {"source": [outlet]}


def test_a_refusal_says_it_once(standin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, _ = standin
    reply = ask(start(monkeypatch, url), "What is the weather in Paris?").chat_message[1]
    assert reply.warning[0].value.count("don't say") == 1
    assert "cover this question" not in reply.warning[0].value


def test_date_filters_say_what_they_leave_out_and_when_they_cannot_match(  # type: ignore[no-untyped-def]
    standin, monkeypatch
) -> None:
    url, _ = standin
    at = start(monkeypatch, url)
    assert not any("without a publication date" in c.value for c in at.sidebar.caption)
    at.date_input(key="filter_from").set_value(date(2025, 9, 1)).run()
    assert any("without a publication date" in c.value for c in at.sidebar.caption)
    assert not at.sidebar.error
    at.date_input(key="filter_to").set_value(date(2025, 8, 1)).run()
    assert any("no article can match" in e.value for e in at.sidebar.error)
