"""Follow-up questions: answer the dev set's conversations turn by turn, score the last turn.

    python -m eval.conversations [--file data/dev/conversations.jsonl] [--index-dir data/dev/index]

Each conversation is asked through the service's own ``answer_question`` with the history a
chat client sends (every earlier question and the answer it got). The last turn is right when
it holds every key fact (answerable) or is refused (unanswerable). Conversations are split
``fit`` / ``check`` by their first gold article, like the dev questions (``eval.devdata``).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.devdata import split_of
from eval.metrics import fact_present

CONVERSATIONS = Path("data/dev/conversations.jsonl")


@dataclass
class Conversation:
    id: str
    turns: list[str]
    answerable: bool
    key_facts: list[str] = field(default_factory=list)
    gold_files: list[str] = field(default_factory=list)

    @property
    def split(self) -> str:
        return split_of((self.gold_files or [self.id])[0])


def load_conversations(path: Path = CONVERSATIONS) -> list[Conversation]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(
                Conversation(
                    row["id"],
                    row["turns"],
                    bool(row["answerable"]),
                    row.get("key_facts") or [],
                    row.get("gold_files") or [],
                )
            )
    return out


def topic_switches(path: Path) -> list[Conversation]:
    """Each question of a dev question file asked after an unrelated one: the next question in
    the file about another article comes first (a user who changes the subject). Its last turn
    should be answered as if asked alone."""
    from eval.dataset import load_questions

    questions = load_questions(path)
    out = []
    for i, q in enumerate(questions):
        others = questions[i + 1 :] + questions[:i]
        about = set(q.gold_files)
        before = next((o for o in others if o.gold_files and not about & set(o.gold_files)), None)
        if before is None:  # every other question is about the same article
            continue
        out.append(
            Conversation(
                f"{q.id}-after-{before.id}",
                [before.question, q.question],
                q.answerable,
                q.key_facts,
                q.gold_files or [q.id],
            )  # fmt: skip
        )
    return out


def run_conversation(state: Any, conv: Conversation) -> tuple[bool, str]:
    """(last turn right, its answer) for one conversation."""
    from service.answering.service import answer_question
    from service.schemas import AskRequest, Turn

    history: list[Turn] = []
    answer = None
    for question in conv.turns:
        answer = answer_question(AskRequest(question=question, history=history), state)
        history += [
            Turn(role="user", content=question),
            Turn(role="assistant", content=answer.answer),
        ]
    assert answer is not None
    if not conv.answerable:
        return not answer.answerable, answer.answer
    ok = answer.answerable and all(fact_present(f, answer.answer) for f in conv.key_facts)
    return ok, answer.answer


def evaluate(state: Any, convs: list[Conversation]) -> dict[str, dict[str, float]]:
    """Share of conversations whose last turn is right, per split and overall."""
    results: dict[str, list[bool]] = {}
    for conv in convs:
        ok, _answer = run_conversation(state, conv)
        for key in (conv.split, "all"):
            results.setdefault(key, []).append(ok)
    return {
        k: {"conversations": len(v), "last_turn_correct": sum(v) / len(v)}
        for k, v in sorted(results.items())
    }


def main() -> None:
    from eval.calibrate import DEV_ARTICLES, DEV_INDEX, open_state

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=CONVERSATIONS)
    parser.add_argument("--index-dir", type=Path, default=DEV_INDEX)
    parser.add_argument("--articles", type=Path, default=DEV_ARTICLES)
    parser.add_argument(
        "--switches",
        type=Path,
        help="instead: each question of this dev question file asked after an unrelated one",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every wrong answer")
    args = parser.parse_args()
    state = open_state(args.index_dir, args.articles)
    convs = topic_switches(args.switches) if args.switches else load_conversations(args.file)
    if args.verbose:
        for conv in convs:
            ok, answer = run_conversation(state, conv)
            if not ok:
                print(f"{conv.id} {conv.split} {conv.turns} -> {answer[:200]!r} {conv.key_facts}")
    print(json.dumps(evaluate(state, convs), indent=1))


if __name__ == "__main__":
    main()
