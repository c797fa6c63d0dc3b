"""Cleaning: boilerplate goes, headlines stay once, article sentences stay verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.cleaning import CleanResult, clean_text, format_removed, normalize, paragraphs

ARTICLES = Path(__file__).resolve().parents[2] / "data" / "articles"


def cleaned(prefix: str) -> CleanResult:
    (path,) = ARTICLES.glob(f"{prefix}_*.txt")
    return clean_text(path.read_text(encoding="utf-8"))


def paras(result: CleanResult) -> list[str]:
    return result.text.split("\n\n")


# (file, title, boilerplate paragraphs that must be gone, sentences that must stay verbatim)
CASES = [
    (
        "000",
        '"Steel Porcupine": Politico learns about Ukraine\'s "Plan B" for post-war defense if '
        "security guarantees prove futile",
        [
            "$43.190.22",
            "50.950.04",
            "Electricity outage schedules",
            "Kyiv \u2022 UNN",
            "\u2022 354 views",
            "Details",
            "To be continued...",
        ],
        [
            'Ukraine considers self-sufficiency as a "Plan B" for security guarantees, as it '
            "cannot fully rely on allies' promises.",
            '"Ukraine\'s plan B is to rely on itself," Politico reports, writes UNN.',
            "Given that any security guarantees look shaky, Ukraine's plan B is to rely on itself",
            "- the publication says.",
            "as well as growing confidence in Ukraine's own ability to resist the enemy.\"",
        ],
    ),
    (
        "001",
        None,
        ["..."],
        [
            "September 4, 2025",
            "Fruitless discussions about 'security guarantees' for Ukraine continue.",
            "Ukraine Pursues a Weapons Buildup More Potent Than Any Security Guarantee "
            "( archived) - New York Times",
            "President Volodymyr Zelensky hopes the system will enable $1 billion in purchases "
            "each month",
            "The NYT piece asserts:",
            "Reprinted with permission from Moon of Alabama.",
        ],
    ),
    (
        "002",
        "Europe advocates for security promises in Ukraine, but Russia resists: INSIGHT",
        [
            "Skip to content",
            "Read also:",
            "Latest",
            "European powers push for safety assurances in Ukraine amidst Russia's resistance "
            "in a weapons and...",
        ],
        [
            "A new suggested framework mirrors NATO's Article 5 defense pact, yet specifics "
            "remain elusive.",
            "European powers push for safety assurances in Ukraine amidst Russia's resistance "
            "in a weapons and troop buildup on the border.",
            "Retired Lt. Gen. Keith Kellogg, the U.S. special envoy to Ukraine, dismissed these "
            'statements, calling them "just noise."',
            "serve as a deterrent against any future Russian aggression.",
        ],
    ),
    (
        "003",
        "Europe weighing four security guarantee options for Ukraine \u2013 The Times",
        ["5903 visitors online"],
        [
            "Europe is considering four options for security guarantees for Ukraine",
            "The Times writes about this, Censor.NET reports.",
            "Admiral Sir Tony Radakin, the Chief of Defence Staff of the United Kingdom, has "
            "traveled to the United States for detailed talks on America's involvement.",
            'Defending "from above"',
            "which requires both sides to come to each other's aid in the event of an attack.",
        ],
    ),
    (
        "004",
        "Ukraine's Future Hangs on Security Guarantees Russia Fears Most",
        [
            "Eastern EuropeFeaturedNATORussiaUkraineUkraine warUnited States",
            "About the Author: Stavros Atlamazoglou",
            "Image: DVIDS.",
            "Source link",
            "Related Posts",
            "1 of 688",
        ],
        [
            "There is a flurry of activity across the Atlantic as Ukraine and its partners are "
            "searching for the best formula to end the war.",
            'Russia would respond to "any hostile steps" on the part of Europe',
            "Russia's Reluctance to Make a Peace Deal",
            "And this should be the sole purpose of any security guarantees to Kyiv.",
        ],
    ),
]


@pytest.mark.parametrize(("prefix", "title", "gone", "kept"), CASES)
def test_real_articles(prefix: str, title: str | None, gone: list[str], kept: list[str]) -> None:
    result = cleaned(prefix)
    assert result.title == title
    if title is not None:
        assert paras(result)[0] == title
        assert result.text.count(title) == 1
    for line in gone:
        assert line not in paras(result), line
        assert normalize(line) in [removed.text for removed in result.removed]
    for sentence in kept:
        assert sentence in result.text, sentence


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_real_articles_invariants(prefix: str) -> None:
    (path,) = ARTICLES.glob(f"{prefix}_*.txt")
    source = paragraphs(path.read_text(encoding="utf-8"))
    result = clean_text(path.read_text(encoding="utf-8"))
    kept = paras(result)
    # kept paragraphs are whole, unedited input paragraphs, in order
    it = iter(source)
    assert all(any(p == q for q in it) for p in kept)
    assert len(kept) + len(result.removed) == len(source)
    assert not any(ch in result.text for ch in "\u2018\u2019\u201c\u201d\u00a0")
    assert "  " not in result.text and "\n\n\n" not in result.text
    assert clean_text(result.text).text == result.text  # idempotent
    # no bio, counter or ticker left anywhere
    for junk in ("About the Author", "visitors online", " views", "$43.190.22", "Read also"):
        assert junk not in result.text


def test_tickers_counters_navigation() -> None:
    text = (
        "$43.190.22\nEUR 41.20 \u25b2 0.3%\n1,204 views\nViews: 88\n12 readers\n"
        "Skip to main content\nMenu\n\u00a9 2025 Example Media. All rights reserved.\n"
        "Page 2 of 9\n\nThe site had 5,903 visitors online on Monday, the company said.\n"
        "The fund holds $43.19 billion, up 22% this year."
    )
    result = clean_text(text)
    assert paras(result) == [
        "The site had 5,903 visitors online on Monday, the company said.",
        "The fund holds $43.19 billion, up 22% this year.",
    ]
    reasons = [r.reason for r in result.removed]
    assert reasons == ["currency ticker"] * 2 + ["view counter"] * 3 + ["navigation"] * 2 + [
        "site chrome",
        "pagination",
    ]


def test_read_also_related_and_bio_blocks() -> None:
    text = (
        "Kyiv opens a new drone plant\n\nThe plant opened on Monday, officials said.\n\n"
        "Read also: Drone exports grow in Europe\n\nRead more about this in our report.\n\n"
        "Read also:\n\nWar enters its fourth winter\n\nPrices climb in Lviv\n\n"
        "Workers said the plant would run around the clock.\n\n"
        "About the author: Jane Roe\n\nJane Roe covers defence. She lives in Kyiv.\n\n"
        "Photo by John Doe\n\nRelated Posts\n\nAnother headline here\n\nShare"
    )
    result = clean_text(text)
    assert paras(result) == [
        "Kyiv opens a new drone plant",
        "The plant opened on Monday, officials said.",
        "Read more about this in our report.",
        "Workers said the plant would run around the clock.",
    ]
    reasons = {r.text: r.reason for r in result.removed}
    assert reasons["War enters its fourth winter"] == "read-also block"
    assert reasons["Jane Roe covers defence. She lives in Kyiv."] == "author bio"
    assert reasons["Photo by John Doe"] == "image credit"
    assert reasons["Related Posts"] == "related links"
    assert reasons["Share"] == "navigation"


def test_repeats_truncated_lede_tags_and_quotes() -> None:
    text = (
        "Home \u2022 News\n\nNATOUkraineWorldPoliticsFeatured\n\n"
        "\u201cBig\u201d drone deal signed in Kyiv\n\nThe deal was signed in Kyiv on...\n\n"
        "The deal was signed in Kyiv on Monday by two ministers.\n\n"
        "\u201cBig\u201d drone deal signed in Kyiv\n\n"
        "It\u2019s \u201cthe largest\u201d\u00a0deal so far \u2013 officials said.\n\n"
        'It\'s "the largest" deal so far \u2013 officials said.\n\n***\n\n'
        "The deal was signed in Kyiv on Monday by two ministers.\n\nTo be continued..."
    )
    result = clean_text(text)
    assert result.title == '"Big" drone deal signed in Kyiv'
    assert paras(result) == [
        '"Big" drone deal signed in Kyiv',
        "The deal was signed in Kyiv on Monday by two ministers.",
        'It\'s "the largest" deal so far \u2013 officials said.',
        "The deal was signed in Kyiv on Monday by two ministers.",  # a repeat far away stays
    ]
    reasons = [r.reason for r in result.removed]
    assert reasons == [
        "dateline",
        "tag list",
        "truncated duplicate",
        "repeated headline",
        "repeated line",
        "punctuation only",
        "continuation note",
    ]


def test_byline_is_removed() -> None:
    result = clean_text("Drones flood the front\n\nBY Jane Roe and John Smith, Kyiv\n\nText here.")
    assert result.text == "Drones flood the front\n\nText here."
    assert result.removed[0].reason == "byline"


def test_real_sentences_with_boilerplate_words_are_kept() -> None:
    text = (
        "By the way, nothing\n\nBy August 11 the forces had ended that endeavor:\n\n"
        "Latest figures show 354 views were recorded, the agency said.\n\n"
        "Details of the plan remain secret.\n\nImage: the photo shows the damaged plant "
        "in Kharkiv after the strike on Tuesday night, which killed two workers.\n\n"
        "OpenAI's ChatGPT hits YouTube"
    )
    assert clean_text(text).text == normalize(text)


def test_hard_wrapped_text_is_unwrapped() -> None:
    text = (
        "Drone output doubles in Kyiv\n"
        "Ukraine doubled its drone output this year, the ministry said on Monday, and it\n"
        "plans to double it again next year with money from European partners and banks.\n"
        "The minister gave no figures for the budget but said factories work all day.\n"
        "Officials in Lviv said new plants would open in the west of the country soon and\n"
        "would employ thousands of people who lost their jobs because of the war there.\n"
    )
    result = clean_text(text)
    assert result.title == "Drone output doubles in Kyiv"
    assert len(paras(result)) == 2  # a full-width line gives no paragraph break
    assert "and it plans to double it again" in result.text


def test_markdown_heading_marks_are_dropped() -> None:
    result = clean_text("# Drones in Kyiv\n\nThe plant opened, #officials said.\n\n## More\n")
    assert result.title == "Drones in Kyiv"
    assert result.text == "Drones in Kyiv\n\nThe plant opened, #officials said."


def test_empty_and_format_removed() -> None:
    assert clean_text("").text == ""
    assert clean_text("Skip to content\n\n12 views").text == ""
    report = format_removed(cleaned("004"))
    assert "Title: Ukraine's Future Hangs on Security Guarantees Russia Fears Most" in report
    assert "[tag list]" in report and "[author bio]" in report and "1 of 688" in report
    assert format_removed(CleanResult("x")).startswith("Title: (none detected)")
