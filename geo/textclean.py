"""Reduce an article as received (plain text, Markdown or HTML) to its reading text.

What is removed is what is not the article: page footers and page numbers, footnote
markers and the footnote/URL lists at the end, newsletter, donation and social-media
boilerplate, photo captions, author boxes and disclaimers, and pull quotes that repeat a
sentence of the body. Hard line wraps are joined (hyphenated breaks keep a real hyphen
unless the unhyphenated word occurs elsewhere in the text), paragraphs broken by a page
break are joined again, and characters mangled by PDF extraction are repaired (byte-swapped
"ᤀ猀" for "’s"; a lost apostrophe in "Armenias" when the text spells "Armenia's" elsewhere).

The result is deterministic: paragraphs separated by one blank line, no other newlines.
Words are never changed otherwise; the article is quoted as it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from bs4 import BeautifulSoup, Comment, NavigableString

FORMATS = ("text", "markdown", "html")

# --- characters --------------------------------------------------------------------------

# PDF text layers sometimes come out as byte-swapped UTF-16: "’s " (0x19 0x73 0x20) reads
# as "ᤀ猀 " (U+1900 U+7300 U+2000). Such code points have a zero low byte.
_SWAPPED = "".join(chr(b << 8) for b in range(0x19, 0x7F) if b != 0x20)
_SWAPPED_RUN = re.compile(
    rf"[\u2000 ]*((?:[{_SWAPPED}]{{2,}})|(?:[{_SWAPPED}]*\u1900[{_SWAPPED}]*))(\u2000?)"
)
_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _unswap(match: re.Match[str]) -> str:
    chars = []
    for ch in match.group(1):
        byte = ord(ch) >> 8
        chars.append("\u2019" if byte == 0x19 else chr(byte))
    return "".join(chars) + (" " if match.group(2) else "")


def fix_mangled(text: str) -> str:
    """Repair byte-swapped UTF-16 runs left by PDF extraction (``ᤀ猀`` → ``’s``)."""
    return _SWAPPED_RUN.sub(_unswap, text)


def normalise_chars(text: str) -> str:
    """Unify newlines and spaces, drop invisible and control characters.

    Non-breaking hyphens become ``-`` so that "Nagorno‑Karabakh" reads and matches like
    "Nagorno-Karabakh"; quotes and dashes are left as the article has them.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = fix_mangled(text)
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\u2011", "-").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


# --- HTML and Markdown -------------------------------------------------------------------

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
    "iframe", "svg", "canvas", "object", "embed", "head", "select", "input", "textarea",
)
_BLOCK_TAGS = (
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "figure",
    "figcaption", "address", "hr", "body", "html",
)
_UNIT_BEFORE = re.compile(r"(?:\b(?:km|m|cm|mm|mi|ft))\s*$")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_PARA_MARK = "\u2029"
_LINE_MARK = "\u2028"


def html_to_text(raw: str) -> str:
    """Reduce HTML to text: one paragraph per block element, scripts and chrome dropped."""
    soup = BeautifulSoup(raw, "html.parser")
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for sup in soup.find_all("sup"):
        label = sup.get_text().strip()
        if re.fullmatch(r"\[?\d{1,3}\]?", label):
            before = sup.previous_sibling
            if isinstance(before, NavigableString) and _UNIT_BEFORE.search(str(before)):
                sup.replace_with(label.translate(_SUPERSCRIPT))  # km², not a footnote
            else:
                sup.decompose()  # footnote reference
    for tag in soup.find_all("br"):
        tag.replace_with(_LINE_MARK)
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before(_PARA_MARK)
        tag.insert_after(_PARA_MARK)
    text = soup.get_text()
    text = re.sub(r"[ \t\r\n\f\v]+", " ", text)
    blocks = (block.replace(_LINE_MARK, "\n").strip() for block in text.split(_PARA_MARK))
    return "\n\n".join(block for block in blocks if block)


_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[ \t]*\[[^\]\n]+\]:[ \t]+\S.*$", re.M), ""),  # link definitions
    (re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)"), ""),  # images
    (re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]"), r"\1"),  # reference links
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M), r"\n\2\n"),  # ATX headings
    (re.compile(r"^[ \t]{0,3}(?:=+|-+)[ \t]*$", re.M), "\n"),  # setext underlines
    (re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.M), "\n"),  # horizontal rules
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.M), ""),  # block quotes
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis
    (re.compile(r"(?<![\w])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w])"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),  # inline code
)


def strip_markdown(text: str) -> str:
    """Reduce Markdown syntax to its text (links, headings, emphasis, quotes, rules)."""
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return text


_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")


def strip_links(text: str) -> str:
    """Replace Markdown links and link stubs (``[text](#)``) with their text."""
    return _LINK.sub(r"\1", text)


# --- lines: page furniture and boilerplate -----------------------------------------------

_BULLET = re.compile(r"^\s*[-*•▪◦●]\s+(?=\S)")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\s*$", re.I)
_URL_LINE = re.compile(r"^\s*(?:<?(?:https?://|www\.)\S+>?\s*)+$", re.I)
_BOILERPLATE_LINE = re.compile(
    r"""^\s*(?:
        get\ the\ latest
      | sign\ up\b.*\b(?:e-?mails?|newsletters?|updates)\b.*
      | subscribe\b.*\b(?:newsletter|updates|e-?mails?)\b.*
      | follow\ us\b.*
      | share\ (?:this|on)\b.*
      | read\ more
      | (?:tel|phone|fax|e-?mail)\s*:.*
      | @\w+
      | ©.*
      | .*\ball\ rights\ reserved\b.*
      | .*\bavrasya\ incelemeleri\ merkezi
      | center\ for\ eurasian\ studies\ \d+
    )\s*$""",
    re.I | re.X,
)


def _line_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def _blocks(text: str) -> list[list[str]]:
    """Split text into blocks of lines (blank lines separate; a bullet starts a block)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
            current = []
            continue
        if _BULLET.match(line):
            if current:
                blocks.append(current)
            current = [_BULLET.sub("", line)]
            continue
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _drop_furniture(blocks: list[list[str]]) -> list[list[str]]:
    """Drop page numbers, running footers, bare URLs and boilerplate lines."""
    counts = Counter(
        _line_key(line) for block in blocks if len(block) <= 3 for line in block
    )
    kept = []
    for block in blocks:
        lines = []
        for line in block:
            stripped = line.strip()
            if _PAGE_NUMBER.match(stripped) or _URL_LINE.match(stripped):
                continue
            if _BOILERPLATE_LINE.match(stripped):
                continue
            repeated = len(block) <= 3 and counts[_line_key(stripped)] >= 2
            if repeated and len(stripped) <= 80 and not re.search(r"[.?!:;\"”’]$", stripped):
                continue  # running header or footer
            lines.append(line)
        if lines:
            kept.append(lines)
    return kept


# --- paragraphs ----------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_HYPHEN_END = re.compile(r"([^\W\d_]+|\d+)-$")


def _vocabulary(text: str) -> tuple[set[str], set[str]]:
    words = {w.casefold() for w in _WORD.findall(text)}
    compounds = {m.casefold() for m in re.findall(r"[^\W\d_]+-[^\W\d_]+", text)}
    return words, compounds


def _join(left: str, right: str, vocab: tuple[set[str], set[str]]) -> str:
    """Join two pieces of one paragraph that a line or page break separated."""
    left, right = left.rstrip(), right.lstrip()
    hyphen = _HYPHEN_END.search(left)
    if hyphen and right[:1].isalnum():
        head = hyphen.group(1)
        tail = _WORD.match(right)
        if tail and not head.isdigit():
            whole = (head + tail.group(0)).casefold()
            compound = f"{head}-{tail.group(0)}".casefold()
            if whole in vocab[0] and compound not in vocab[1]:
                return left[:-1] + right  # a word broken by hyphenation
        return left + right  # a real hyphen ("co-chair", "km-depth")
    return f"{left} {right}"


def _unwrap(lines: list[str], vocab: tuple[set[str], set[str]]) -> str:
    text = lines[0].strip()
    for line in lines[1:]:
        text = _join(text, line, vocab)
    return " ".join(text.split())


_TAIL_START = re.compile(
    r"""^(?:
        (?:about\ the\ authors?|notes|footnotes|endnotes|references|sources|bibliography)
            \s*:?\s*$
      | \[1\]\s
      | \^?1\s+\S.*\bhttps?://
      | to\ cite\ this\b
      | follow\ us\b
      | if\ you\ (?:like|enjoyed)\ (?:our|this)\b
      | please\ consider\b.*\b(?:donat|support)
      | .*\b(?:opinions|views)\ (?:expressed\ )?(?:here\ )?are
            \ (?:those\ of\ the\ authors?|(?:his|her|their)\ own)\b
      | .*\ball\ opinions\ are\ those\ of\b
    )""",
    re.I | re.X,
)
_CAPTION = re.compile(r"^(?:cover photo|photo|image|picture|caption)\s*(?:credit)?\s*:", re.I)
_TERMINAL = re.compile(r"[.!?…:;\"”’)\]]$")


def _cut_tail(paragraphs: list[str]) -> list[str]:
    """Cut notes, author boxes and sign-offs: everything from the first such marker that
    appears in the second half of the text."""
    total = sum(len(p) for p in paragraphs)
    seen = 0
    for index, paragraph in enumerate(paragraphs):
        if seen >= total / 2 and _TAIL_START.match(paragraph):
            return paragraphs[:index]
        seen += len(paragraph)
    return paragraphs


def _join_page_breaks(paragraphs: list[str], vocab: tuple[set[str], set[str]]) -> list[str]:
    """Join a paragraph that stops mid-sentence with a next one that starts in lower case."""
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and not _TERMINAL.search(joined[-1]) and paragraph[:1].islower():
            joined[-1] = _join(joined[-1], paragraph, vocab)
        else:
            joined.append(paragraph)
    return joined


_NOT_FOOTNOTE_BEFORE = {
    "no", "nos", "nr", "art", "arts", "p", "pp", "vol", "ch", "para", "fig", "sec", "tel",
    "op", "ed", "n",
}
_BRACKET_MARK = re.compile(r"(?<=\S)\[\^?\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\]")
_LOOSE_BRACKET_MARK = re.compile(r"(?:(?<=[.,;:!?”\"’)])|^)\s*\[\^?\d{1,3}\](?=\s|$)")
_SUPER_MARK = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_GLUED_MARK = re.compile(r"([^\W\d_]{1,40})([.,;:!?\"”’)]+)(\d{1,3})(?=(\s+\S)|\s*$)")


def _glued(match: re.Match[str]) -> str:
    word, punct, _digits = match.group(1), match.group(2), match.group(3)
    following = match.group(4)
    if word.casefold() in _NOT_FOOTNOTE_BEFORE or len(word) == 1:
        return match.group(0)  # "No.5", "p.12", initials
    if punct[-1] in ",;:":
        return word + punct
    if following is None or re.match(r"\s+[A-Z\u00C0-\u00DE“\"‘(\[]", following):
        return word + punct
    return match.group(0)


def _superscript(match: re.Match[str]) -> str:
    before = match.string[: match.start()]
    return match.group(0) if _UNIT_BEFORE.search(before) else ""


def remove_footnote_markers(paragraph: str) -> str:
    """Remove footnote markers ("border.12", "region¹²", "[3]") but not real numbers."""
    paragraph = _BRACKET_MARK.sub("", paragraph)
    paragraph = _LOOSE_BRACKET_MARK.sub("", paragraph)
    paragraph = _SUPER_MARK.sub(_superscript, paragraph)
    paragraph = _GLUED_MARK.sub(_glued, paragraph)
    return " ".join(paragraph.split())


_LOST_APOSTROPHE = re.compile(r"\b([A-Z][a-z]+ia)s\b")


def _restore_possessives(paragraphs: list[str]) -> list[str]:
    """Restore an apostrophe PDF extraction lost ("Armenias attempts" → "Armenia's
    attempts"), only for names in -ia whose possessive the same text also spells in full."""
    text = "\n".join(paragraphs)
    marks = {}
    for name in set(_LOST_APOSTROPHE.findall(text)):
        for mark in ("'", "\u2019"):
            if f"{name}{mark}s" in text:
                marks[name] = mark
                break

    def fix(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"{name}{marks[name]}s" if name in marks else match.group(0)

    return [_LOST_APOSTROPHE.sub(fix, p) for p in paragraphs]


def _comparable(text: str) -> str:
    text = text.casefold().translate(str.maketrans("‘’“”–—", "''\"\"--"))
    text = re.sub(r"[^\w'\"-]+", " ", text)
    return " ".join(text.split())


def _drop_pull_quotes(paragraphs: list[str]) -> list[str]:
    """Drop paragraphs that repeat, word for word, a passage of another paragraph."""
    keys = [_comparable(p) for p in paragraphs]
    kept = []
    for index, (paragraph, key) in enumerate(zip(paragraphs, keys, strict=True)):
        if len(key) >= 60:
            inside = any(
                j != index and (len(other) > len(key) or (other == key and j < index))
                and key in other
                for j, other in enumerate(keys)
            )
            if inside:
                continue
        kept.append(paragraph)
    return kept


def _drop_byline(paragraphs: list[str], title: str, author: str) -> list[str]:
    """Drop the title, byline and author box that repeat the article's metadata."""
    title_key, author_key = _comparable(title), _comparable(author)

    def is_byline(paragraph: str) -> bool:
        key = _comparable(paragraph)
        if title_key and key == title_key:
            return True
        if author_key and key in (author_key, f"by {author_key}"):
            return True
        return bool(author_key) and key.startswith(f"{author_key} is ")

    start = 0
    while start < min(len(paragraphs), 4) and is_byline(paragraphs[start]):
        start += 1
    end = len(paragraphs)
    while end > start and end > len(paragraphs) - 3 and author_key:
        if not _comparable(paragraphs[end - 1]).startswith(f"{author_key} is "):
            break
        end -= 1
    return paragraphs[start:end]


def clean_text(raw: str, fmt: str = "text", *, title: str = "", author: str = "") -> str:
    """Return the reading text of an article: paragraphs separated by one blank line.

    ``fmt`` is ``"text"``, ``"markdown"`` or ``"html"``. When ``title`` and ``author`` are
    given, a leading title/byline and an author box that repeat them are dropped too.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    text = raw.lstrip("\ufeff")
    if fmt == "html":
        text = html_to_text(text)
    text = normalise_chars(text)
    if fmt == "markdown":
        text = strip_markdown(text)
    text = strip_links(text)
    vocab = _vocabulary(text)
    paragraphs = [_unwrap(lines, vocab) for lines in _drop_furniture(_blocks(text))]
    paragraphs = [p for p in paragraphs if _WORD.search(p)]
    paragraphs = _cut_tail(paragraphs)
    paragraphs = [p for p in paragraphs if not _CAPTION.match(p)]
    paragraphs = _join_page_breaks(paragraphs, vocab)
    paragraphs = [remove_footnote_markers(p) for p in paragraphs]
    paragraphs = [p for p in paragraphs if _WORD.search(p)]
    paragraphs = _restore_possessives(paragraphs)
    paragraphs = _drop_pull_quotes(paragraphs)
    paragraphs = _drop_byline(paragraphs, title, author)
    return "\n\n".join(paragraphs)
