from __future__ import annotations

from service.verify.anchor import anchored, has_name, has_number, window
from service.verify.config import VerifyConfig


def test_the_window_stays_inside_the_items_clause() -> None:
    claim = "The probes were too costly for a small mission, and the Grand Tour was cancelled."
    around = window(claim, has_name("grand"), 4)
    assert {"tour", "cancel"} <= around
    assert not around & {"small", "mission", "costli"}


def test_a_number_counts_only_beside_the_claims_own_words() -> None:
    sentences = ["Over three million copies have been sold.", "It was lent 40 times last year."]
    on = VerifyConfig(anchor_reach=4, anchor_share=0.6)
    assert anchored(
        "The book has sold over 3 million copies.", has_number("3000000"), sentences, on
    )
    assert not anchored("The book has sold over 40 copies.", has_number("40"), sentences, on)
    off = VerifyConfig(anchor_reach=0)
    assert not anchored(
        "The book has sold over 3 million copies.", has_number("3000000"), sentences, off
    )
