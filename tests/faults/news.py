"""Made-up one-chunk articles, each about a town no other article names (a unique keyword)."""

from __future__ import annotations

import random
from dataclasses import dataclass

NUMBERS = ["three", "four", "five", "six", "seven", "eight", "nine", "eleven", "twelve"]
MONTHS = ["March", "April", "May", "June", "July", "August", "September", "October"]
SYLLABLES = ["zor", "vell", "quar", "bri", "tox", "mel", "dra", "kun", "sil", "vep", "gor", "nix"]


def town_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


@dataclass(frozen=True)
class Article:
    town: str
    count: str
    month: str
    version: int = 1

    @property
    def title(self) -> str:
        return f"{self.town} footbridges"

    @property
    def text(self) -> str:
        if self.version == 1:
            return (
                f"The town council of {self.town} voted on Monday to build {self.count} new "
                f"footbridges over the river. The mayor said the first footbridge in {self.town} "
                f"will open in {self.month} and that the work is paid for by a local lottery."
            )
        return (
            f"The town council of {self.town} changed its plan on Tuesday and will now build "
            f"{self.count} new footbridges over the river. The first of them will open in "
            f"{self.month}, the deputy mayor of {self.town} told reporters at the town hall."
        )

    @property
    def question(self) -> str:
        return f"How many new footbridges will the town council of {self.town} build?"

    @property
    def query(self) -> str:
        return f"{self.town} footbridges council"

    def payload(self) -> dict[str, str]:
        return {"text": self.text, "title": self.title, "source": "Fault Wire"}

    def replaced(self, rng: random.Random) -> Article:
        """Another version about the same town (as many chunks, other facts)."""
        count = rng.choice([n for n in NUMBERS if n != self.count])
        month = rng.choice([m for m in MONTHS if m != self.month])
        return Article(self.town, count, month, version=2)


def articles(count: int, seed: int) -> list[Article]:
    rng = random.Random(seed)
    towns: list[str] = []
    while len(towns) < count:
        name = town_name(rng)
        if name not in towns:
            towns.append(name)
    return [Article(t, rng.choice(NUMBERS), rng.choice(MONTHS)) for t in towns]
