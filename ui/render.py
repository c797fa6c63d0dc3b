"""Pure formatting helpers for the UI: answer HTML with ``[n]`` links, highlighted passages, cards.

Nothing here calls Streamlit, so it is unit-testable; all text from the API is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable

from newsqa.text import MARKERS, markers, strip_markers
from ui.client import AnswerSentence, AskResponse, Citation, DocumentDetail, DocumentSummary

LIST_LINE = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")
UNSUPPORTED_TITLE = "Not supported by the cited passages"
CONTEXT_CHARS = 240


def esc(text: str) -> str:
    """Escape for an HTML block inside Streamlit markdown (no math, no line breaks)."""
    out = html.escape(text, quote=True).replace("$", "&#36;")
    out = out.replace("*", "&#42;").replace("_", "&#95;").replace("`", "&#96;")
    out = out.replace("~", "&#126;").replace("[", "&#91;").replace("]", "&#93;")
    return out.replace("\r\n", "\n").replace("\n", "<br>")


def plain_md(text: str) -> str:
    """Escape model text for plain markdown (used while an answer streams in)."""
    return re.sub(r"([\\`*_{}\[\]()#+!|$<>~])", r"\\\1", text)


def anchor_id(msg_index: int, n: int) -> str:
    return f"src-{msg_index}-{n}"


def marker_link(msg_index: int, n: int, known: bool = True) -> str:
    if not known:
        return f'<sup class="cite missing">&#91;{n}&#93;</sup>'
    return (
        f'<a class="cite" data-n="{n}" href="#{anchor_id(msg_index, n)}" '
        f'title="Show source {n}">&#91;{n}&#93;</a>'
    )


def link_markers(text: str, msg_index: int, known: set[int] | None = None) -> str:
    """Escape ``text`` and turn each ``[n]`` (or ``[n, m]``) into links to source cards."""
    out, last = [], 0
    for match in MARKERS.finditer(text):
        out.append(esc(text[last : match.start()]))
        for n in markers(match.group(0)):
            out.append(marker_link(msg_index, n, known is None or n in known))
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


def _list_html(items: list[str]) -> str:
    return '<ul class="answer-list">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _text_html(text: str, msg_index: int, known: set[int]) -> str:
    """An answer given as text only: lines starting with "- ", "* " or "1. " become a list."""
    parts: list[str] = []
    items: list[str] = []
    for line in text.split("\n"):
        item = LIST_LINE.match(line)
        if item:
            items.append(link_markers(line[item.end() :].strip(), msg_index, known))
            continue
        if items:
            parts.append(_list_html(items))
            items = []
        if line.strip():
            parts.append(link_markers(line.strip(), msg_index, known))
    if items:
        parts.append(_list_html(items))
    return " ".join(parts)


def _sentence_html(sentence: AnswerSentence, msg_index: int, known: set[int]) -> str:
    body = esc(strip_markers(LIST_LINE.sub("", sentence.text)))
    marks = "".join(marker_link(msg_index, n, n in known) for n in sentence.citations)
    if sentence.supported:
        return f"{body}{marks}"
    return (
        f'<span class="unsupported" title="{UNSUPPORTED_TITLE}" style="background:'
        f'#fff4e5;border-bottom:2px dotted #d97706;padding:0 2px">{body}{marks} <small '
        f'style="color:#b45309;font-weight:600">(not supported)</small></span>'
    )


def answer_html(resp: AskResponse, msg_index: int) -> str:
    """The answer as HTML: sentences, list items (``kind: item``) as a list, ``[n]`` links.

    Unsupported sentences are visibly flagged.
    """
    known = {c.id for c in resp.citations}
    if not resp.sentences:
        return f'<div class="answer">{_text_html(resp.answer, msg_index, known)}</div>'
    parts: list[str] = []
    items: list[str] = []
    for sentence in resp.sentences:
        html_part = _sentence_html(sentence, msg_index, known)
        if sentence.kind == "item":
            items.append(html_part)
            continue
        if items:
            parts.append(_list_html(items))
            items = []
        parts.append(html_part)
    if items:
        parts.append(_list_html(items))
    return '<div class="answer">' + " ".join(parts) + "</div>"


def unsupported_count(resp: AskResponse) -> int:
    return sum(1 for s in resp.sentences if not s.supported)


LABEL_QUOTE_WORDS = 8  # opening words of the quote that tell apart cards of one article


def card_label(
    citation: Citation, markdown: bool = False, with_quote: bool = False, words: int = 0
) -> str:
    """Stable, test-friendly label of a source card: ``[1] Title — Outlet``, plus
    ``, quoting Speaker`` when someone other than the outlet makes the claim, plus the quote's
    opening words when ``with_quote`` (several cards of one reply share title and outlet).
    ``markdown``: the article's title, outlet, speaker and quote escaped (they are data: a title
    holding ``[x](javascript:...)`` or ``*x*`` is shown as written)."""
    esc = plain_md if markdown else str
    title = citation.title.strip() or citation.doc_id
    label = f"[{citation.id}] {esc(title)} — {esc(citation.source or 'unknown outlet')}"
    if citation.speaker and citation.speaker != (citation.reported_by or citation.source):
        label += f", quoting {esc(citation.speaker)}"
    quoted = citation.quote.strip().strip("\"'\u201c\u201d\u2018\u2019").split()
    count = words or LABEL_QUOTE_WORDS
    if with_quote and quoted:
        opening = " ".join(quoted[:count])
        label += f": “{esc(opening)}{'…' if len(quoted) > count else ''}”"
    return label


def card_labels(citations: list[Citation], markdown: bool = False) -> list[str]:
    """The labels of one reply's cards; cards that would read the same show their quotes."""

    def bare(c: Citation, quote: bool, words: int = 0) -> str:  # the label without ``[n]``
        return card_label(c, with_quote=quote, words=words).split("] ", 1)[-1]

    plain = [bare(c, False) for c in citations]
    repeated = [plain.count(p) > 1 for p in plain]
    words = LABEL_QUOTE_WORDS  # more of the quotes while two labels still read the same
    while words < LABEL_QUOTE_WORDS * 4:
        shown = [bare(c, r, words) for c, r in zip(citations, repeated, strict=True)]
        if len(set(shown)) == len(shown):
            break
        words += LABEL_QUOTE_WORDS
    return [
        card_label(c, markdown, with_quote=r, words=words)
        for c, r in zip(citations, repeated, strict=True)
    ]


def card_meta_md(citation: Citation) -> str:
    """Outlet, author, date and link (when known) as one markdown line."""
    bits = [f"**{plain_md(citation.source or 'unknown outlet')}**"]
    if citation.author:
        bits.append(f"by {plain_md(citation.author)}")
    if citation.published:
        bits.append(plain_md(citation.published))
    if citation.url and citation.url.startswith(("http://", "https://")):
        bits.append(f"[open article ↗]({citation.url.replace(')', '%29')})")
    return " · ".join(bits)


def card_claim_md(citation: Citation) -> str:
    """Who makes the quoted claim and which outlet publishes it, as one markdown line.

    ``speaker`` and ``reported_by`` come from the API (``Citation``): a speaker other than the
    outlet is shown with the outlet reporting them; an outlet speaking for itself is said so.
    """
    outlet = citation.reported_by or citation.source or ""
    if outlet.lower() == "unknown":
        outlet = ""
    if not citation.speaker:
        line = "Who says it: not stated in the passage"
        return line + (f" · published by **{plain_md(outlet)}**" if outlet else "")
    line = f"Who says it: **{plain_md(citation.speaker)}**"
    if citation.reported_by and citation.reported_by != citation.speaker:
        return line + f" · reported by **{plain_md(citation.reported_by)}**"
    if outlet and outlet != citation.speaker:
        return line + f" · published by **{plain_md(outlet)}**"
    return line + " (the outlet's own reporting)"


# Clicking an ``[n]`` marker opens its source card (a Streamlit expander in the same chat
# message), highlights it and scrolls to it; the marker stays a plain in-page link without JS.
CITE_SCRIPT = """<script>
(() => {
  if (window.__newsqaCites) return;
  window.__newsqaCites = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("a.cite") : null;
    if (!link) return;
    const n = link.dataset.n || (link.getAttribute("href") || "").split("-").pop();
    const scope = link.closest('[data-testid="stChatMessage"]') || document;
    const card = Array.from(scope.querySelectorAll('[data-testid="stExpander"]')).find(
      (e) => (e.querySelector("summary")?.textContent || "").includes(`[${n}] `));
    if (!card) return;
    event.preventDefault();
    history.replaceState(null, "", link.getAttribute("href"));
    const details = card.querySelector("details");
    if (details && !details.open) card.querySelector("summary").click();
    document.querySelectorAll(".cite-open").forEach((e) => e.classList.remove("cite-open"));
    card.classList.add("cite-open");
    setTimeout(() => card.scrollIntoView({ behavior: "smooth", block: "center" }), 50);
  }, true);
})();
</script>"""
CITE_STYLE = """<style>
.cite-open { outline: 3px solid #f59e0b; border-radius: 0.6rem; background: #fffbeb; }
.answer-list { margin: 0.3rem 0 0.6rem 0; }
.answer-list li { margin: 0.15rem 0; }
</style>"""


def _mark(text: str, start: int, end: int) -> str:
    return (
        f'{esc(text[:start])}<mark style="background:#ffe58f;padding:0 1px">'
        f"{esc(text[start:end])}</mark>{esc(text[end:])}"
    )


def _context(text: str, lo: int, hi: int) -> str:
    """Text around a chunk (outside it), muted; cut at word boundaries."""
    piece = text[lo:hi]
    return f'<span style="color:#8a8f98">{esc(piece)}</span>' if piece.strip() else esc(piece)


def highlighted_passage(citation: Citation, detail: DocumentDetail | None) -> str:
    """HTML of the citation's chunk with the quote in ``<mark>``; the quote alone if unknown.

    Text of the document just outside the chunk (up to ``CONTEXT_CHARS`` around the quote) is
    shown muted, so a quote that fills its whole chunk still appears in context.
    """
    quote = citation.quote
    chunk = None
    if detail is not None:
        chunk = next((c for c in detail.chunks if c.chunk_id == citation.chunk_id), None)
    if detail is not None and quote and detail.text[citation.start : citation.end] == quote:
        text = detail.text
        if chunk is not None and chunk.start <= citation.start and citation.end <= chunk.end:
            lo, hi = chunk.start, chunk.end
        else:
            lo, hi = citation.start, citation.end
        ctx_lo = max(0, min(lo, citation.start - CONTEXT_CHARS))
        ctx_hi = min(len(text), max(hi, citation.end + CONTEXT_CHARS))
        if ctx_lo > 0:
            space = text.find(" ", ctx_lo, lo)
            ctx_lo = space + 1 if space >= 0 else ctx_lo
        if ctx_hi < len(text):
            space = text.rfind(" ", hi, ctx_hi)
            ctx_hi = space if space >= 0 else ctx_hi
        body = (
            _context(text, ctx_lo, lo)
            + _mark(text[lo:hi], citation.start - lo, citation.end - lo)
            + _context(text, hi, ctx_hi)
        )
        prefix = "… " if ctx_lo > 0 else ""
        suffix = " …" if ctx_hi < len(text) else ""
        return f'<div class="passage">{prefix}{body}{suffix}</div>'
    if chunk is not None and quote and quote in chunk.text:
        at = chunk.text.index(quote)
        return f'<div class="passage">{_mark(chunk.text, at, at + len(quote))}</div>'
    return f'<div class="passage">{_mark(quote, 0, len(quote))}</div>'


def corpus_rows(documents: Iterable[DocumentSummary]) -> list[dict[str, object]]:
    """Documents and chunks per outlet, biggest first."""
    docs: Counter[str] = Counter()
    chunks: Counter[str] = Counter()
    for doc in documents:
        docs[doc.source or "unknown"] += 1
        chunks[doc.source or "unknown"] += doc.chunks
    return [{"source": s, "documents": n, "chunks": chunks[s]} for s, n in docs.most_common()]


def history_turns(messages: list[dict], limit: int = 20) -> list[dict[str, str]]:
    """Prior turns for a follow-up question, as the API's ``history`` (role, content)."""
    turns: list[dict[str, str]] = []
    for message in messages:
        if message["role"] == "user":
            turns.append({"role": "user", "content": message["content"][:20_000]})
        elif message.get("response"):
            turns.append({"role": "assistant", "content": message["response"]["answer"][:20_000]})
    return turns[-limit:]
