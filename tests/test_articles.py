"""The article corpus: cleaning of the real seed texts, passages, adding articles, the CLI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import geo.articles as articles_module
from geo.articles import (
    Article,
    ArticleError,
    add_article,
    load_corpus,
    load_metadata,
    split_passages,
)
from geo.paths import ROOT
from geo.textclean import clean_text, fix_mangled, remove_footnote_markers

SHIPPED = ROOT / "data" / "articles"
FIXTURES = Path(__file__).parent / "data"
SEED_IDS = {
    "avim-2022-dilaver",
    "baku-dialogues-2024-pashayeva",
    "garanderie-2024",
    "resetdoc-2023",
    "cepa-2023-avdaliani",
}


@pytest.fixture(scope="module")
def corpus() -> dict[str, Article]:
    return {a.id: a for a in load_corpus(SHIPPED)}


@pytest.fixture()
def tmp_corpus(tmp_path: Path) -> Path:
    """A private copy of the shipped corpus; tests add articles here, never to data/."""
    root = tmp_path / "articles"
    shutil.copytree(SHIPPED, root)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file in the directory (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


# --- the shipped corpus ---------------------------------------------------------------


def test_corpus_holds_the_five_seeds_sorted_and_attributed(corpus):
    assert set(corpus) == SEED_IDS
    assert [a.id for a in load_corpus(SHIPPED)] == sorted(SEED_IDS)
    for article in corpus.values():
        assert article.title and article.publisher and article.standpoint
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", article.date)
    assert corpus["avim-2022-dilaver"].date == "2022-11-04"
    assert corpus["avim-2022-dilaver"].author == "Tutku Dilaver"
    assert corpus["baku-dialogues-2024-pashayeva"].publisher == "Baku Dialogues"
    assert corpus["resetdoc-2023"].author == ""


def test_stored_sources_are_the_seed_bytes_unchanged():
    seeds = Path("/work/shared/seeds")
    if not seeds.is_dir():
        pytest.skip("seed directory not available")
    stored = {p.read_bytes() for p in SHIPPED.iterdir() if p.suffix in (".txt", ".md")}
    received = {p.read_bytes() for p in seeds.glob("0*.txt")}
    assert stored == received


def test_metadata_records_the_source_checksum():
    metadata = load_metadata(SHIPPED)
    for article_id, fields in metadata.items():
        source = SHIPPED / fields["source_file"]
        assert source.stem == article_id
        assert articles_module._sha256(source.read_bytes()) == fields["source_sha256"]


def test_page_footers_footnote_lists_and_author_box_are_gone(corpus):
    text = corpus["avim-2022-dilaver"].text
    for junk in ("Center for Eurasian Studies", "Avrasya", "http", "About the Author",
                 "To cite this article", "All Rights Reserved", "Samantha Power", "[1]",
                 "[10]", "Tel:"):
        assert junk not in text, junk
    assert text.endswith("the window of opportunity for achieving peace in the South "
                         "Caucasus is getting narrower.")


def test_footnote_markers_leave_the_sentence_intact(corpus):
    text = corpus["avim-2022-dilaver"].text
    assert "small scale tensions between the two countries. Within this context" in text
    assert "through USAID, such as helping" in text
    assert "withdrawal from the CSTO. In fact" in text
    assert "in accordance with these goals. Following the clashes in September" in text
    everything = "".join(a.text for a in corpus.values())
    assert not re.search(r"\[\d{1,3}\]", everything)
    assert "A decree was signed in October [2023], which" in everything  # an insertion stays


def test_hard_wraps_and_hyphenated_breaks_are_joined(corpus):
    text = corpus["avim-2022-dilaver"].text
    assert ("However, on 12-14 September, clashes broke out in some parts of the borderline "
            "between the two countries at 3 to 5 km-dept, in which mutual losses occured.") in text
    assert '"impartial co-chair"' in text
    assert "rapprochement with the US-EU and France" in text
    for article in corpus.values():
        for paragraph in paragraphs(article.text):
            assert "\n" not in paragraph and paragraph == paragraph.strip()
            assert "  " not in paragraph


def test_paragraphs_broken_by_a_page_are_joined(corpus):
    text = corpus["garanderie-2024"].text
    assert "For Pashinyan's opponents, the divorce between Armenia and Russia" in text
    assert "an important regional organization in Central and Western Asia" in text
    assert "distancing themselves from Russia and trading with the Europeans" in text


def test_no_pdf_mangled_characters_and_the_repair_works_on_the_seed():
    raw = (SHIPPED / "avim-2022-dilaver.txt").read_text(encoding="utf-8")
    assert "ᤀ猀" in raw
    repaired = fix_mangled(raw)
    assert "ᤀ" not in repaired and "猀" not in repaired
    assert "Master’s degree" in repaired
    assert re.search(r"Ankara Yıldırım Beyazıt\s+University’s\s+Institute", repaired)
    assert re.search(r"Ankara University’s\s+Faculty", repaired)
    for article in load_corpus(SHIPPED):
        assert not re.search("[\u1900\u7300\u2000\u00a0\u2011]", article.text)
    # The same extraction dropped the apostrophe of some possessives; the text spells
    # "Armenia's" and "Russia's" elsewhere, which is the evidence for restoring them.
    assert "Armenias attempts" in raw and "Russias" in raw
    text = clean_text(raw, title="x")
    assert "as a result of Armenia's attempts" in text
    assert "With Russia's attention shifting" in text and "Russias" not in text


def test_markdown_link_stubs_and_emphasis_are_reduced_to_text(corpus):
    text = corpus["garanderie-2024"].text
    assert "](#)" not in text and "*" not in text and "[" not in text
    assert "The casus belli at the time was inter-ethnic tensions between Armenians" in text
    assert "This military operation a priori settles the Nagorno-Karabakh conflict" in text
    assert "For Nikol Pashinyan's government, the priority" in paragraphs(text)[-6]


def test_newsletter_donation_and_social_boilerplate_is_gone(corpus):
    everything = "\n".join(a.text for a in corpus.values())
    for junk in ("Get the Latest", "Sign up", "Follow us", "donation", "Read More",
                 "newsletter", "Cover photo", "Europe's Edge", "Europe’s Edge",
                 "All opinions are those of the author"):
        assert junk not in everything, junk
    cepa = corpus["cepa-2023-avdaliani"].text
    assert cepa.endswith("would prefer an outcome led by the Kremlin.")
    assert "Azerbaijan sees French support for Armenia as a major hurdle" in cepa
    reset = corpus["resetdoc-2023"].text
    assert reset.endswith("waiting for a reversal of fortunes.")


def test_title_byline_author_box_and_pull_quotes_are_not_reading_text(corpus):
    baku = corpus["baku-dialogues-2024-pashayeva"].text
    assert baku.startswith("Nearly 15 years ago, I evaluated")
    assert "The views expressed in this essay" not in baku
    assert baku.count("remains only a possibility—not an actuality") == 1
    assert baku.count("work together now to ensure that outside players") == 1
    assert baku.count("is going through a period of transformation") == 1
    assert "“the South Caucasus is undergoing a geopolitical transformation." in baku
    assert corpus["resetdoc-2023"].text.startswith("On June 28, four soldiers")
    assert corpus["garanderie-2024"].text.startswith("In the autumn of 2023")
    assert "Emil Avdaliani is a professor" not in corpus["cepa-2023-avdaliani"].text


def test_real_numbers_survive_cleaning(corpus):
    reset = corpus["resetdoc-2023"].text
    for kept in ("heavy fighting, lasting 44 days", "an 838.6 km cargo line",
                 "(41% approval rating)", "on February 24, 2022,", "in September 2020, when"):
        assert kept in reset, kept
    baku = corpus["baku-dialogues-2024-pashayeva"].text
    for kept in ("29,800-square-kilometer", "the EU 8.2 percent.Thus", "$65 million",
                 "3,890 Azerbaijani citizens", "U.S. Secretary of State"):
        assert kept in baku, kept
    cepa = corpus["cepa-2023-avdaliani"].text
    assert "200 SS-21 ballistic missiles" in cepa and "3+3 summit" in cepa


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("the border.12 Next day", "the border. Next day"),
        ("the region¹² and beyond", "the region and beyond"),
        ("the region,3 which", "the region, which"),
        ("the talks[3] failed", "the talks failed"),
        ("the talks. [3] They", "the talks. They"),
        ("an area of 29 km² only", "an area of 29 km² only"),
        ("Analysis No.2022 / 18 and No.5 Street", "Analysis No.2022 / 18 and No.5 Street"),
        ("ended in 2020. The 44-day war, 5 km wide", "ended in 2020. The 44-day war, 5 km wide"),
        ("decreased by 8.2 percent", "decreased by 8.2 percent"),
        ("a decree in October [2023], which", "a decree in October [2023], which"),
    ],
)
def test_footnote_markers_go_numbers_stay(raw, expected):
    assert remove_footnote_markers(raw) == expected


def test_cleaning_is_deterministic():
    raw = (SHIPPED / "baku-dialogues-2024-pashayeva.txt").read_text(encoding="utf-8")
    assert clean_text(raw) == clean_text(raw)
    with pytest.raises(ValueError, match="unknown format"):
        clean_text(raw, "pdf")


# --- passages -----------------------------------------------------------------------------


def test_passages_cover_the_text_with_exact_offsets(corpus):
    for article in corpus.values():
        passages = split_passages(article)
        assert passages, article.id
        assert [p.id for p in passages] == [
            f"{article.id}:p{n:03d}" for n in range(1, len(passages) + 1)
        ]
        previous_end = 0
        for passage in passages:
            assert passage.article_id == article.id
            assert article.text[passage.start : passage.end] == passage.text
            assert passage.start >= previous_end
            assert article.text[previous_end : passage.start].strip() == ""
            previous_end = passage.end
        assert article.text[previous_end:].strip() == ""


def test_passages_are_stable_and_sized(corpus):
    for article in corpus.values():
        first, again = split_passages(article), split_passages(article)
        assert first == again
        reloaded = Article(**{**article.__dict__})
        assert split_passages(reloaded) == first
        for passage in first:
            assert len(passage.text) >= 40, passage.id
            if len(passage.text) > 1000:  # only a single sentence may exceed the limit
                assert len(re.findall(r"[.!?] [A-Z]", passage.text)) == 0, passage.id


def test_long_paragraphs_split_at_sentences_not_abbreviations(corpus):
    baku = corpus["baku-dialogues-2024-pashayeva"]
    passages = split_passages(baku)
    assert len(passages) > len([p for p in paragraphs(baku.text) if len(p) >= 120])
    for passage in passages:
        assert not re.search(r"\b(?:U\.S|Mr|No|i\.e)\.$", passage.text), passage.id
        assert not passage.text[0].islower(), passage.id


def test_headings_open_the_passage_that_follows(corpus):
    garanderie = corpus["garanderie-2024"]
    heading = next(
        p for p in split_passages(garanderie) if p.text.startswith("The Russian reaction")
    )
    assert heading.text.startswith("The Russian reaction\n\nFor the Russians")
    assert not any(p.text == "Normalizing relations with Armenia?"
                   for p in split_passages(garanderie))


# --- adding articles ----------------------------------------------------------------------


def test_add_markdown_article(tmp_corpus):
    source = FIXTURES / "articles_sample.md"
    article = add_article(
        source, title="Sample Markdown fixture", publisher="Atlas test fixtures",
        date="2024-05-01", author="Test Author", standpoint="test fixture", root=tmp_corpus,
    )
    assert article.id == "atlas-test-fixtures-2024-author"
    stored = tmp_corpus / f"{article.id}.md"
    assert stored.read_bytes() == source.read_bytes()
    meta = yaml.safe_load((tmp_corpus / f"{article.id}.yaml").read_text(encoding="utf-8"))
    assert meta["format"] == "markdown" and meta["date"] == "2024-05-01"
    assert meta["source_sha256"] == articles_module._sha256(source.read_bytes())
    assert article in load_corpus(tmp_corpus)
    assert "mountain country of Lachin / Berdzor. The mountain road" in article.text
    assert "[" not in article.text and "*" not in article.text and "#" not in article.text
    assert "footnote" not in article.text
    assert not article.text.startswith("Sample Markdown fixture")


def test_add_html_keeps_markup_as_plain_text(tmp_corpus):
    hostile = "<script>alert(1)</script> Hostile fixture <img src=x onerror=alert(1)>"
    article = add_article(
        FIXTURES / "articles_hostile.html", title=hostile, publisher="Atlas test fixtures",
        date="2024", root=tmp_corpus,
    )
    text = article.text
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert "javascript:alert(1)" in text
    assert "Lachin corridor" in text and "Stepanakert" in text
    assert "injected" not in text and "background" not in text and "Newsletter" not in text
    assert "Follow us" not in text and "Stepanakert1" not in text
    assert not text.startswith(hostile)  # the h1 repeats the title
    assert article.title == hostile
    assert (tmp_corpus / f"{article.id}.html").is_file()
    assert {a.id for a in load_corpus(tmp_corpus)} == SEED_IDS | {article.id}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b" \n\n\t\n", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("controls.txt", bytes(range(1, 9)) * 50 + b"Goris", "binary"),
        ("utf16.txt", "Goris and Kapan".encode("utf-16"), "UTF-16"),
        ("latin1.txt", "Le corridor de Latchine passe près de Stépanakert.".encode("latin-1"),
         "not UTF-8"),
        ("scripts.html", b"<html><script>var a = 1;</script><nav>Home</nav></html>",
         "no article text"),
    ],
)
def test_bad_files_are_refused_and_change_nothing(tmp_corpus, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot(tmp_corpus)
    with pytest.raises(ArticleError, match=message) as error:
        add_article(path, title="Some title", publisher="Some publisher", date="2024",
                    root=tmp_corpus)
    assert name in str(error.value)
    assert snapshot(tmp_corpus) == before


def test_duplicates_are_refused_and_name_the_existing_article(tmp_corpus, tmp_path):
    before = snapshot(tmp_corpus)
    copy = tmp_path / "copy.txt"
    copy.write_bytes((SHIPPED / "cepa-2023-avdaliani.txt").read_bytes())
    with pytest.raises(ArticleError, match="cepa-2023-avdaliani.*same text"):
        add_article(copy, title="Another title", publisher="Elsewhere", date="2023",
                    root=tmp_corpus)
    # Same text with different line endings and spacing is still the same article.
    reflowed = tmp_path / "reflowed.txt"
    raw = (SHIPPED / "resetdoc-2023.txt").read_text(encoding="utf-8")
    reflowed.write_text(raw.replace("\n", "\r\n").replace(". ", ".  "), encoding="utf-8")
    with pytest.raises(ArticleError, match="resetdoc-2023"):
        add_article(reflowed, title="Other", publisher="Other", date="2023", root=tmp_corpus)
    with pytest.raises(ArticleError, match="avim-2022-dilaver.*title and publisher"):
        add_article(FIXTURES / "articles_sample.md",
                    title="The foreign policy shift in Armenia, border disputes and the "
                          "Western Powers’ return to the region",
                    publisher="Center for Eurasian Studies (AVİM), Analysis No. 2022/18",
                    date="2022", root=tmp_corpus)
    assert snapshot(tmp_corpus) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"date": "5 April 2024"}, "--date"),
        ({"date": "2024-02-30"}, "calendar"),
        ({"title": "  "}, "--title"),
        ({"publisher": ""}, "--publisher"),
        ({"url": "javascript:alert(1)"}, "--url"),
        ({"title": "two\nlines"}, "single line"),
    ],
)
def test_bad_metadata_is_refused_and_changes_nothing(tmp_corpus, kwargs, message):
    before = snapshot(tmp_corpus)
    arguments = {"title": "A title", "publisher": "A publisher", "date": "2024", **kwargs}
    with pytest.raises(ArticleError, match=message):
        add_article(FIXTURES / "articles_sample.md", root=tmp_corpus, **arguments)
    assert snapshot(tmp_corpus) == before


def test_format_can_be_given_for_markdown_in_a_txt_file(tmp_corpus, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("The *Lachin* corridor and **Goris** are [named](#) here for a test.\n",
                    encoding="utf-8")
    article = add_article(path, title="T", publisher="P", date="2024", fmt="markdown",
                          root=tmp_corpus)
    assert article.text == "The Lachin corridor and Goris are named here for a test."
    assert (tmp_corpus / f"{article.id}.md").read_bytes() == path.read_bytes()


def test_missing_file_is_refused(tmp_corpus, tmp_path):
    with pytest.raises(ArticleError, match="no such file"):
        add_article(tmp_path / "nowhere.txt", title="T", publisher="P", date="2024",
                    root=tmp_corpus)


def test_failed_metadata_write_leaves_nothing_behind(tmp_corpus, monkeypatch):
    before = snapshot(tmp_corpus)

    def broken(fields):
        raise OSError("disk full")

    monkeypatch.setattr(articles_module, "_metadata_yaml", broken)
    with pytest.raises(OSError, match="disk full"):
        add_article(FIXTURES / "articles_sample.md", title="T", publisher="P", date="2024",
                    root=tmp_corpus)
    assert snapshot(tmp_corpus) == before


# --- metadata validation on load ----------------------------------------------------------


def _edit_yaml(root: Path, article_id: str, **changes) -> Path:
    path = root / f"{article_id}.yaml"
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    meta.update(changes)
    path.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "yesterday"}, "date"),
        ({"title": ""}, "title"),
        ({"format": "pdf"}, "format"),
        ({"id": "other-id"}, "id"),
        ({"source_sha256": "0" * 64}, "source_sha256"),
        ({"source_file": "resetdoc-2023.md"}, "source_file"),
        ({"publsher": "typo"}, "publsher"),
        ({"url": "ftp://example.org"}, "url"),
    ],
)
def test_bad_metadata_on_disk_names_file_and_field(tmp_corpus, changes, field):
    _edit_yaml(tmp_corpus, "resetdoc-2023", **changes)
    with pytest.raises(ArticleError) as error:
        load_corpus(tmp_corpus)
    assert "resetdoc-2023.yaml" in str(error.value)
    assert field in str(error.value)


def test_changed_source_is_detected(tmp_corpus):
    source = tmp_corpus / "cepa-2023-avdaliani.txt"
    source.write_bytes(source.read_bytes() + b"\nAn extra line.\n")
    with pytest.raises(ArticleError, match="cepa-2023-avdaliani.yaml.*source_sha256"):
        load_corpus(tmp_corpus)


def test_unreadable_yaml_and_missing_directory(tmp_corpus, tmp_path):
    (tmp_corpus / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ArticleError, match="broken.yaml"):
        load_corpus(tmp_corpus)
    with pytest.raises(ArticleError, match="not found"):
        load_corpus(tmp_path / "missing")


def test_cache_follows_changes_on_disk(tmp_corpus):
    first = {a.id: a for a in load_corpus(tmp_corpus)}
    assert first["resetdoc-2023"].title.startswith("Armenia")
    _edit_yaml(tmp_corpus, "resetdoc-2023", title="A retitled article for the cache test")
    assert {a.id: a for a in load_corpus(tmp_corpus)}["resetdoc-2023"].title.startswith("A re")
    load_corpus.cache_clear()
    assert len(load_corpus(tmp_corpus)) == 5


# --- command line -------------------------------------------------------------------------


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", "articles", *args], capture_output=True, text=True,
        cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120,
    )


def test_cli_add_and_list_with_atlas_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data / "articles")
    env = {"ATLAS_DATA": str(data)}
    added = _run("add", str(FIXTURES / "articles_sample.md"), "--title", "CLI fixture",
                 "--publisher", "Atlas test fixtures", "--date", "2024-06",
                 "--standpoint", "test fixture", env=env)
    assert added.returncode == 0, added.stderr
    assert re.match(r"added atlas-test-fixtures-2024: \d+ characters, \d+ passages", added.stdout)
    listed = _run("list", env=env)
    assert listed.returncode == 0
    assert "atlas-test-fixtures-2024\t2024-06\tAtlas test fixtures\tCLI fixture" in listed.stdout
    assert len(listed.stdout.strip().splitlines()) == 6


def test_cli_refuses_bad_input_with_a_message_and_changes_nothing(tmp_corpus, tmp_path):
    before = snapshot(tmp_corpus)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Stépanakert et Latchine.".encode("latin-1"))
    result = _run("add", str(latin1), "--title", "T", "--publisher", "P", "--date", "2024",
                  "--root", str(tmp_corpus))
    assert result.returncode == 1
    assert "latin1.txt" in result.stderr and "not UTF-8" in result.stderr
    duplicate = _run("--root", str(tmp_corpus), "add", str(tmp_corpus / "resetdoc-2023.txt"),
                     "--title", "T", "--publisher", "P", "--date", "2023")
    assert duplicate.returncode == 1 and "resetdoc-2023" in duplicate.stderr
    assert snapshot(tmp_corpus) == before


def test_cli_check_and_show(tmp_corpus):
    checked = _run("check", "--root", str(tmp_corpus))
    assert checked.returncode == 0
    assert len(checked.stdout.strip().splitlines()) == 5
    shown = _run("show", "cepa-2023-avdaliani", "--passages", "--root", str(tmp_corpus))
    assert shown.returncode == 0 and "[cepa-2023-avdaliani:p001 0:" in shown.stdout
    missing = _run("show", "nope", "--root", str(tmp_corpus))
    assert missing.returncode == 1 and "nope" in missing.stderr


# --- formats and sentence splitting on constructed input ----------------------------------


def test_html_blocks_become_paragraphs_and_chrome_is_dropped():
    raw = (
        "<html><head><title>Page</title><style>p{}</style></head><body>"
        "<header><nav><a href='/'>Home</a></nav></header>"
        "<h2>Roads</h2><p>The road from\nGoris<br>reaches Kornidzor.</p>"
        "<ul><li>Area of 29 km<sup>2</sup> near Sotk.</li><li>Named in a report<sup>4</sup>"
        " on Jermuk.</li></ul><aside>Related: other stories</aside>"
        "<footer>© 2024 Example. Follow us.</footer></body></html>"
    )
    assert clean_text(raw, "html") == (
        "Roads\n\nThe road from Goris reaches Kornidzor.\n\n"
        "Area of 29 km² near Sotk.\n\nNamed in a report on Jermuk."
    )


def test_markdown_headings_quotes_and_rules():
    raw = "Title line\n==========\n\nSome *text* with `code`.\n\n---\n\n> quoted\n> lines\n"
    assert clean_text(raw, "markdown") == "Title line\n\nSome text with code.\n\nquoted lines"


def test_long_paragraph_splits_at_sentences_only():
    sentences = [
        "Mr. Aliyev and Mr. Pashinyan met in the U.S. capital on 1 May.",
        "The talks covered road No. 5 and a 3.5 km section of the border near Tavush.",
        "Officials said the delimitation would continue through the autumn of that year.",
    ] * 8
    article = Article("toy", "T", "", "P", "2024", "", "", " ".join(sentences))
    passages = split_passages(article)
    assert len(passages) > 1
    for passage in passages:
        assert len(passage.text) <= 700
        assert passage.text.startswith("Mr. Aliyev") or passage.text.startswith(
            ("The talks", "Officials")
        )
        assert passage.text.endswith(("1 May.", "near Tavush.", "that year."))
    assert " ".join(p.text for p in passages) == article.text
