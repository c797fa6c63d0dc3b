"""The quality gate on the dev set's ``check`` split: questions over 163 real articles (ABC news,
Usenet, Wikipedia, from gensim's test data on PyPI) that no threshold or weight was fitted on.

The articles are fetched by ``make dev-data`` (``eval.devdata``); when they are missing this
test fetches them the same way (from PyPI). The dev index is built (incrementally) in
``data/dev/index``, the same one ``python -m eval.calibrate`` uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eval.gate import check_gate, gate_paths
from eval.runner import run_eval
from tests.helpers import ROOT

DEV = ROOT / "data" / "dev"
CHECK = DEV / "check.jsonl"

pytestmark = pytest.mark.dev


@pytest.fixture(scope="module")
def dev_settings() -> Any:
    from eval import devdata
    from ingest.pipeline import ingest_paths
    from newsqa.settings import Settings

    articles = DEV / "articles"
    if not any(articles.glob("*.txt")):
        devdata.write(devdata.build(devdata.fetch_wheel(DEV / ".cache")), articles)
    settings = Settings(index_dir=DEV / "index", articles_dir=articles, _env_file=None)
    ingest_paths([articles], settings)
    return settings


def test_check_split_passes_the_gate(dev_settings: Any, tmp_path: Path) -> None:
    summary = run_eval(
        None, None, CHECK, "lexical", tmp_path / "reports", dev_settings, progress=False
    )
    assert summary.counts["errors"] == 0, summary.notes
    assert summary.counts["questions"] >= 100
    config, baseline = gate_paths(CHECK)
    violations = check_gate(summary, ROOT / config, ROOT / baseline)
    assert not violations, "\n".join([*violations, f"report: {summary.out_dir}/report.md"])


def test_follow_ups_are_answered_in_context(dev_settings: Any) -> None:
    """The dev conversations' last turns (issue 9's target: right >= 0.8 of the time)."""
    from eval.conversations import evaluate, load_conversations
    from service.state import ServiceState

    state = ServiceState(dev_settings)
    state.open()
    figures = evaluate(state, load_conversations(DEV / "conversations.jsonl"))
    assert figures["all"]["conversations"] >= 30
    assert figures["all"]["last_turn_correct"] >= 0.8, figures


def test_a_new_subject_is_not_read_as_a_follow_up(dev_settings: Any) -> None:
    """Each ``check`` question asked after one about another article (a user who changes the
    subject): right about as often as asked alone (0.775). Measured 0.800 (0.725 before a
    question was read with the previous one only when it points back): the gate sits under it."""
    from eval.conversations import evaluate, topic_switches
    from service.state import ServiceState

    state = ServiceState(dev_settings)
    state.open()
    figures = evaluate(state, topic_switches(DEV / "check.jsonl"))
    assert figures["all"]["conversations"] >= 100
    assert figures["all"]["last_turn_correct"] >= 0.78, figures


def test_dev_byline_questions_name_the_author(dev_settings: Any) -> None:
    """``data/dev/bylines.jsonl``: "who wrote the post ...?" over the dev Usenet posts whose
    author ingest found (written after reading the posts' titles: a sanity check, not an
    independent one). Each is answered with the author; at most one may miss."""
    import json

    from service.answering.service import answer_question
    from service.schemas import AskRequest
    from service.state import ServiceState

    state = ServiceState(dev_settings)
    state.open()
    rows = [json.loads(x) for x in (DEV / "bylines.jsonl").read_text().splitlines() if x]
    named = [
        row["author"].lower()
        in answer_question(AskRequest(question=row["question"]), state).answer.lower()
        for row in rows
    ]
    assert len(rows) >= 15 and sum(named) >= len(rows) - 1, named
