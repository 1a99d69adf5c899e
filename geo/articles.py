"""The article corpus: published analyses, quoted as they are and always attributed.

Each article is stored in ``data/articles/`` as two files:

- ``<id>.txt|.md|.html`` — the text exactly as received (bytes never changed);
- ``<id>.yaml`` — its metadata: title, author, publisher, date, standpoint, url, format,
  source file name and its sha256.

Cleaning happens on load (:func:`geo.textclean.clean_text`), so the reading text and the
passage offsets are reproducible from the stored files. ``python -m geo articles add FILE``
adds one article; ``list``, ``show`` and ``check`` inspect the corpus.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import hashlib
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from geo.paths import ARTICLES_DIR
from geo.textclean import FORMATS, clean_text

__all__ = [
    "Article",
    "ArticleError",
    "Passage",
    "add_article",
    "clean_text",
    "load_corpus",
    "load_metadata",
    "main",
    "split_passages",
]

EXTENSIONS = {"text": ".txt", "markdown": ".md", "html": ".html"}
_FORMAT_OF_SUFFIX = {
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
}
REQUIRED = ("id", "title", "publisher", "date", "format", "source_file", "source_sha256")
OPTIONAL = ("author", "standpoint", "url", "date_note", "title_note", "note")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

# Passage sizes, in characters of reading text.
SPLIT_OVER = 900  # paragraphs longer than this are split into sentence groups ...
GROUP_MAX = 700  # ... of at most this many characters (a longer sentence stays whole)
SHORT = 40  # paragraphs shorter than this are headings or fragments, never alone
HEADING_MAX = 120  # unpunctuated paragraphs shorter than this are headings


class ArticleError(ValueError):
    """An article or its metadata is unusable; the message names the file and the field."""


@dataclass(frozen=True)
class Article:
    """One article: its attribution and its cleaned reading text."""

    id: str
    title: str
    author: str
    publisher: str
    date: str  # ISO: YYYY-MM-DD, YYYY-MM or YYYY
    standpoint: str
    url: str
    text: str


@dataclass(frozen=True)
class Passage:
    """A paragraph or a group of sentences; ``text == article.text[start:end]``."""

    id: str
    article_id: str
    start: int
    end: int
    text: str


# --- validation --------------------------------------------------------------------------


def check_date(value: str) -> str:
    """Return ``value`` if it is an ISO date ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``."""
    match = _DATE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a calendar date ({exc})") from None
    return value


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_source(data: bytes, name: str | Path) -> str:
    """Decode article bytes as UTF-8 text, refusing empty, binary and non-UTF-8 input."""
    if not data.strip():
        raise ArticleError(f"{name}: the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError(f"{name}: UTF-16 text; convert it to UTF-8 first")
    if b"\x00" in data:
        raise ArticleError(f"{name}: binary file (contains NUL bytes); expected UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise ArticleError(
            f"{name}: not UTF-8 text (byte 0x{bad:02x} at offset {exc.start}); "
            "convert it to UTF-8 first"
        ) from None
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(2, len(text) // 200):
        raise ArticleError(f"{name}: binary file ({controls} control characters); expected text")
    return text


def _format_of(path: Path, text: str) -> str:
    fmt = _FORMAT_OF_SUFFIX.get(path.suffix.lower())
    if fmt:
        return fmt
    head = text.lstrip()[:200].lower()
    return "html" if head.startswith(("<!doctype html", "<html")) else "text"


def _field(meta: dict[str, Any], key: str, where: Path) -> str:
    value = meta.get(key, "")
    if value is None:
        value = ""
    if key == "date" and isinstance(value, dt.date):
        value = value.isoformat()  # unquoted YAML date
    if not isinstance(value, str):
        raise ArticleError(f"{where}: field {key!r} must be text, not {type(value).__name__}")
    if "\n" in value.strip() and key not in ("note", "date_note", "title_note"):
        raise ArticleError(f"{where}: field {key!r} must be a single line")
    return value.strip()


def _validate(meta: Any, where: Path) -> dict[str, str]:
    """Check one metadata file; return its fields as stripped strings."""
    if not isinstance(meta, dict):
        raise ArticleError(f"{where}: expected a mapping of fields, got {type(meta).__name__}")
    unknown = sorted(set(meta) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise ArticleError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")
    fields = {key: _field(meta, key, where) for key in (*REQUIRED, *OPTIONAL)}
    for key in REQUIRED:
        if not fields[key]:
            raise ArticleError(f"{where}: field {key!r} is missing or empty")
    if fields["id"] != where.stem:
        raise ArticleError(f"{where}: field 'id' is {fields['id']!r} but the file is {where.name}")
    if not _ID.match(fields["id"]):
        raise ArticleError(f"{where}: field 'id' {fields['id']!r} is not a lower-case slug")
    try:
        check_date(fields["date"])
    except ValueError as exc:
        raise ArticleError(f"{where}: field 'date': {exc}") from None
    if fields["format"] not in FORMATS:
        raise ArticleError(
            f"{where}: field 'format' is {fields['format']!r}; expected {', '.join(FORMATS)}"
        )
    source = fields["source_file"]
    if Path(source).name != source or Path(source).stem != fields["id"]:
        raise ArticleError(f"{where}: field 'source_file' must be <id>.<ext> beside it")
    if fields["url"] and not re.match(r"^https?://\S+$", fields["url"]):
        raise ArticleError(f"{where}: field 'url' {fields['url']!r} is not an http(s) address")
    if not re.fullmatch(r"[0-9a-f]{64}", fields["source_sha256"]):
        raise ArticleError(f"{where}: field 'source_sha256' is not a sha256 hex digest")
    return fields


# --- loading -----------------------------------------------------------------------------


def _metadata_files(root: Path) -> list[Path]:
    if not root.is_dir():
        raise ArticleError(f"{root}: article directory not found")
    return sorted(p for p in root.glob("*.yaml") if not p.name.startswith("."))


def load_metadata(root: Path | str = ARTICLES_DIR) -> dict[str, dict[str, str]]:
    """Read and validate every ``<id>.yaml`` in ``root``; return fields by article id."""
    root = Path(root)
    found: dict[str, dict[str, str]] = {}
    for path in _metadata_files(root):
        try:
            meta = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ArticleError(f"{path}: not readable YAML ({exc})") from None
        found[path.stem] = _validate(meta, path)
    return found


def _read_source(root: Path, fields: dict[str, str]) -> str:
    source = root / fields["source_file"]
    where = root / f"{fields['id']}.yaml"
    if not source.is_file():
        raise ArticleError(f"{where}: field 'source_file': {source.name} does not exist")
    data = source.read_bytes()
    if _sha256(data) != fields["source_sha256"]:
        raise ArticleError(
            f"{where}: field 'source_sha256' does not match {source.name} "
            "(the stored text was changed; the original must stay as received)"
        )
    return decode_source(data, source)


def _article(fields: dict[str, str], raw: str, where: Path) -> Article:
    text = clean_text(raw, fields["format"], title=fields["title"], author=fields["author"])
    if not re.search(r"[^\W\d_]", text):
        raise ArticleError(f"{where}: no article text left after cleaning")
    return Article(
        id=fields["id"],
        title=fields["title"],
        author=fields["author"],
        publisher=fields["publisher"],
        date=fields["date"],
        standpoint=fields["standpoint"],
        url=fields["url"],
        text=text,
    )


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except FileNotFoundError:
        raise ArticleError(f"{root}: article directory not found") from None
    return tuple(
        (e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in entries if e.is_file()
    )


_CACHE: dict[Path, tuple[tuple[tuple[str, int, int], ...], tuple[Article, ...]]] = {}


def load_corpus(root: Path | str = ARTICLES_DIR) -> list[Article]:
    """Load, validate and clean every article in ``root``, sorted by id.

    Results are cached per directory and reloaded when any file in it changes;
    ``load_corpus.cache_clear()`` empties the cache.
    """
    root = Path(root).resolve()
    signature = _signature(root)
    cached = _CACHE.get(root)
    if cached and cached[0] == signature:
        return list(cached[1])
    articles = []
    for article_id, fields in load_metadata(root).items():
        raw = _read_source(root, fields)
        articles.append(_article(fields, raw, root / f"{article_id}.yaml"))
    articles.sort(key=lambda a: a.id)
    _CACHE[root] = (signature, tuple(articles))
    return articles


def _cache_clear() -> None:
    _CACHE.clear()
    _passages.cache_clear()


load_corpus.cache_clear = _cache_clear  # type: ignore[attr-defined]


# --- passages ----------------------------------------------------------------------------

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "nr", "vs", "e.g", "i.e", "u.s",
    "u.k", "u.n", "jr", "sr", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "art",
    "fig", "vol", "pp", "p", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "inc", "ltd", "co", "corp", "dept", "approx", "cf", "al", "ca",
}
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9\u00C0-\u024F])")
_HEADING_END = re.compile(r"[.!…:;,\"”’)\]]$")


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in re.finditer(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text):
        start, end = match.span()
        while text[start].isspace():
            start += 1
        while text[end - 1].isspace():
            end -= 1
        yield start, end


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as absolute spans (abbreviations do not end one)."""
    spans = []
    begin = start
    for match in _SENTENCE_END.finditer(text, start, end):
        token = re.search(r"([\w.]+)[.!?…]+[\"”’)\]]*$", text[begin : match.end()])
        word = token.group(1).casefold().rstrip(".") if token else ""
        if text[match.start()] == "." and (word in _ABBREVIATIONS or re.fullmatch(r"\w", word)):
            continue  # "Mr.", "U.S.", "No.", an initial
        spans.append((begin, match.end()))
        begin = match.end()
        while begin < end and text[begin].isspace():
            begin += 1
    if begin < end:
        spans.append((begin, end))
    return spans


def _groups(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one paragraph into spans: whole if short, else sentence groups."""
    if end - start <= SPLIT_OVER:
        return [(start, end)]
    groups: list[tuple[int, int]] = []
    for s, e in _sentence_spans(text, start, end):
        if groups and e - groups[-1][0] <= GROUP_MAX:
            groups[-1] = (groups[-1][0], e)
        else:
            groups.append((s, e))
    short_tail = len(groups) > 1 and groups[-1][1] - groups[-1][0] < 200
    if short_tail and groups[-1][1] - groups[-2][0] <= SPLIT_OVER:
        groups[-2:] = [(groups[-2][0], groups[-1][1])]
    return groups


def _is_heading(text: str) -> bool:
    """A heading or fragment: under 40 characters, or under 120 without closing punctuation."""
    return len(text) < SHORT or (len(text) < HEADING_MAX and not _HEADING_END.search(text))


@functools.lru_cache(maxsize=512)
def _passages(article: Article) -> tuple[Passage, ...]:
    text = article.text
    spans: list[tuple[int, int]] = []
    pending: int | None = None  # start of headings waiting for the paragraph they open
    for start, end in _paragraph_spans(text):
        if _is_heading(text[start:end]):
            pending = start if pending is None else pending
            continue
        for index, (s, e) in enumerate(_groups(text, start, end)):
            if index == 0 and pending is not None:
                s, pending = pending, None
            spans.append((s, e))
    if pending is not None:  # trailing headings or fragments
        end = len(text.rstrip())
        if spans:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((pending, end))
    return tuple(
        Passage(f"{article.id}:p{n:03d}", article.id, s, e, text[s:e])
        for n, (s, e) in enumerate(spans, start=1)
    )


def split_passages(article: Article) -> list[Passage]:
    """Split an article into passages: paragraphs, long ones into sentence groups.

    Headings are not passages of their own: a paragraph under 40 characters, or under 120
    without closing punctuation (a question mark does not close), opens the passage of the
    paragraph after it (at the end of the text it joins the passage before). Passages
    cover every paragraph; ids are ``<article id>:p001``, ``:p002``, ... in text order.
    """
    return list(_passages(article))


# --- adding ------------------------------------------------------------------------------


def _comparable(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    value = value.translate(str.maketrans("‘’“”–—‑", "''\"\"---"))
    return " ".join(value.split())


def text_fingerprint(raw: str, fmt: str) -> str:
    """sha256 of the normalised cleaned text (metadata-independent), for duplicate checks."""
    return _sha256(_comparable(clean_text(raw, fmt)).encode("utf-8"))


def _slug(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _new_id(publisher: str, date: str, author: str, taken: set[str]) -> str:
    acronym = re.search(r"\(([^()]{2,20})\)", publisher)
    words = _slug(acronym.group(1) if acronym else publisher).split("-")
    parts = ["-".join(words[:3]) or "article", date[:4]]
    if author:
        parts.append(_slug(author.split()[-1]))
    base = "-".join(p for p in parts if p)[:60].strip("-")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _write_atomic(path: Path, data: bytes) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _metadata_yaml(fields: dict[str, str]) -> bytes:
    order = ("id", "title", "title_note", "author", "publisher", "date", "date_note",
             "standpoint", "url", "note", "format", "source_file", "source_sha256")
    ordered = {key: fields[key] for key in order if fields.get(key)}
    header = "# Article metadata (see geo/articles.py). The source file is kept as received.\n"
    body = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)
    return (header + body).encode("utf-8")


def _single_line(name: str, value: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ArticleError(f"--{name} is required and must not be empty")
    if "\n" in value or "\r" in value:
        raise ArticleError(f"--{name} must be a single line")
    return value


def add_article(
    path: Path | str,
    *,
    title: str,
    publisher: str,
    date: str,
    author: str = "",
    standpoint: str = "",
    url: str = "",
    root: Path | str = ARTICLES_DIR,
    article_id: str | None = None,
    fmt: str | None = None,
) -> Article:
    """Add the article in ``path`` (UTF-8 text, Markdown or HTML) to the corpus in ``root``.

    Raises :class:`ArticleError` for an empty, binary or non-UTF-8 file, bad metadata, a
    text with nothing left after cleaning, or a duplicate (same cleaned text, or same title
    and publisher) of an article already there; nothing is written then. The source is
    stored unchanged, then its metadata (both by atomic rename, metadata last). The format
    follows the file name (``.txt``, ``.md``, ``.html``) unless ``fmt`` is given.
    """
    path, root = Path(path), Path(root)
    title = _single_line("title", title, required=True)
    publisher = _single_line("publisher", publisher, required=True)
    author, standpoint = _single_line("author", author), _single_line("standpoint", standpoint)
    url = _single_line("url", url)
    try:
        date = check_date(_single_line("date", date, required=True))
    except ValueError as exc:
        raise ArticleError(f"--date: {exc}") from None
    if url and not re.match(r"^https?://\S+$", url):
        raise ArticleError(f"--url: {url!r} is not an http(s) address")
    if not path.is_file():
        raise ArticleError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    data = path.read_bytes()
    raw = decode_source(data, path)
    if fmt is None:
        fmt = _format_of(path, raw)
    elif fmt not in FORMATS:
        raise ArticleError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    text = clean_text(raw, fmt, title=title, author=author)
    if not re.search(r"[^\W\d_]", text):
        raise ArticleError(f"{path}: no article text left after cleaning ({fmt})")

    existing = {a.id: a for a in load_corpus(root)} if root.is_dir() else {}
    metadata = load_metadata(root) if root.is_dir() else {}
    key = (_comparable(title), _comparable(publisher))
    fingerprint = text_fingerprint(raw, fmt)
    for other in existing.values():
        if (_comparable(other.title), _comparable(other.publisher)) == key:
            raise ArticleError(
                f"{path}: duplicate of article {other.id!r} (same title and publisher)"
            )
        fields = metadata[other.id]
        if text_fingerprint(_read_source(root, fields), fields["format"]) == fingerprint:
            raise ArticleError(f"{path}: duplicate of article {other.id!r} (same text)")

    taken = set(existing) | ({p.stem for p in root.glob("*")} if root.is_dir() else set())
    if article_id is None:
        article_id = _new_id(publisher, date, author, taken)
    elif not _ID.match(article_id) or article_id in taken:
        raise ArticleError(f"--id: {article_id!r} is not a free lower-case slug")

    fields = {
        "id": article_id, "title": title, "author": author, "publisher": publisher,
        "date": date, "standpoint": standpoint, "url": url, "format": fmt,
        "source_file": article_id + EXTENSIONS[fmt], "source_sha256": _sha256(data),
    }
    root.mkdir(parents=True, exist_ok=True)
    source = root / fields["source_file"]
    _write_atomic(source, data)
    try:
        _write_atomic(root / f"{article_id}.yaml", _metadata_yaml(fields))
    except BaseException:
        source.unlink(missing_ok=True)
        raise
    load_corpus.cache_clear()  # type: ignore[attr-defined]
    return Article(article_id, title, author, publisher, date, standpoint, url, text)


# --- command line ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo articles", description=__doc__)
    parser.add_argument("--root", type=Path, default=None, help="article directory")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add one article (UTF-8 text, Markdown or HTML)")
    add.add_argument("file", type=Path)
    add.add_argument("--title", required=True)
    add.add_argument("--publisher", required=True)
    add.add_argument("--date", required=True, help="YYYY-MM-DD, YYYY-MM or YYYY")
    add.add_argument("--author", default="")
    add.add_argument("--standpoint", default="", help='neutral label, e.g. "Italian magazine"')
    add.add_argument("--url", default="")
    add.add_argument("--id", dest="article_id", default=None, help="article id (a slug)")
    add.add_argument("--format", dest="fmt", choices=FORMATS, default=None,
                     help="text, markdown or html (default: from the file name)")
    add.add_argument("--root", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    for name, text in (("list", "list the articles"), ("check", "validate and count")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--root", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    show = commands.add_parser("show", help="print an article's reading text or passages")
    show.add_argument("article_id")
    show.add_argument("--passages", action="store_true")
    show.add_argument("--root", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def _cmd_add(args: argparse.Namespace, root: Path) -> int:
    article = add_article(
        args.file, title=args.title, publisher=args.publisher, date=args.date,
        author=args.author, standpoint=args.standpoint, url=args.url, root=root,
        article_id=args.article_id, fmt=args.fmt,
    )
    count = len(split_passages(article))
    print(f"added {article.id}: {len(article.text)} characters, {count} passages")
    return 0


def _cmd_list(args: argparse.Namespace, root: Path) -> int:
    for article in load_corpus(root):
        by = f" — {article.author}" if article.author else ""
        print(f"{article.id}\t{article.date}\t{article.publisher}{by}\t{article.title}")
    return 0


def _cmd_check(args: argparse.Namespace, root: Path) -> int:
    metadata = load_metadata(root)
    for article in load_corpus(root):
        raw = _read_source(root, metadata[article.id])
        print(
            f"{article.id}: {len(raw)} chars received, {len(article.text)} chars of reading "
            f"text, {len(split_passages(article))} passages"
        )
    return 0


def _cmd_show(args: argparse.Namespace, root: Path) -> int:
    articles = {a.id: a for a in load_corpus(root)}
    if args.article_id not in articles:
        raise ArticleError(f"{root}: no article {args.article_id!r}")
    article = articles[args.article_id]
    if args.passages:
        for passage in split_passages(article):
            print(f"[{passage.id} {passage.start}:{passage.end}] {passage.text}\n")
    else:
        print(article.text)
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace, Path], int]] = {
    "add": _cmd_add, "list": _cmd_list, "check": _cmd_check, "show": _cmd_show,
}


def main(argv: list[str] | None = None) -> int:
    """``python -m geo articles {add,list,show,check}``; errors go to stderr, exit 1."""
    args = _parser().parse_args(argv)
    root = Path(args.root) if args.root else ARTICLES_DIR
    try:
        return _COMMANDS[args.command](args, root)
    except ArticleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
