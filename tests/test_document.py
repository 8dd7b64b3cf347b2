"""Loading: encodings, HTML pages, bad input with its one-line reason, and input expansion."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.document import (
    DEFAULT_MAX_BYTES,
    decode_bytes,
    document_from_text,
    expand_inputs,
    load_document,
)
from summarizer.errors import DocumentError

DATA = Path(__file__).parent / "data" / "documents"

REPORT = (
    "临川经开区召开上半年经济运行分析会\n"
    "\n"
    "上半年，全区实现地区生产总值128.6亿元，同比增长6.8%；规模以上工业增加值同比增长9.1%。\n"
    "\n"
    "会议要求，下半年要力争固定资产投资增长12%以上，确保完成全年目标任务。\n"
)
REPORT_CLEANED = REPORT.replace("\n\n", "\n").rstrip("\n")


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "encoding"),
    [
        (REPORT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + REPORT.encode("utf-8"), "utf-8-sig"),
        (REPORT.encode("gbk"), "gb18030"),
        (REPORT.encode("gb18030"), "gb18030"),
        (REPORT.encode("utf-16"), "utf-16"),  # with its BOM
        (codecs.BOM_UTF16_BE + REPORT.encode("utf-16-be"), "utf-16"),
        (REPORT.encode("utf-16-le"), "utf-16-le"),  # no BOM: found from where the NUL bytes sit
        (REPORT.encode("utf-16-be"), "utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "utf-16-bom-le", "utf-16-bom-be", "utf-16-le", "utf-16-be"],
)
def test_every_supported_encoding_loads_to_the_same_text(tmp_path: Path, payload: bytes, encoding: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(payload)

    document = load_document(path)

    assert document.text == REPORT_CLEANED
    assert document.encoding == encoding
    assert document.sha256 == hashlib.sha256(payload).hexdigest()
    assert document.name == str(path)


def test_gb18030_only_characters_survive(tmp_path: Path) -> None:
    text = "会议地点：䶮山产业园（GB18030 才有的字）。全年目标增长8%左右。"
    path = tmp_path / "rare.txt"
    path.write_bytes(text.encode("gb18030"))
    assert load_document(path).text == text


def test_short_gbk_text_is_read_as_gb18030_not_big5() -> None:
    # charset-normalizer's best guess for so few bytes is Big5; GB is what the genre uses.
    assert decode_bytes("经开区".encode("gbk"), name="x") == ("经开区", "gb18030")


def test_strict_utf8_comes_first() -> None:
    data = "增长５．２％".encode("utf-8")
    assert decode_bytes(data, name="x") == ("增长５．２％", "utf-8")


# --- HTML ------------------------------------------------------------------------------------


def test_html_page_is_reduced_to_its_article_with_page_metadata() -> None:
    document = load_document(DATA / "gov_page.html")

    assert document.format == "html"
    lines = document.text.split("\n")
    assert lines[0] == "青山经开区召开一季度经济运行调度会"  # the title heads the text
    assert len(lines) == 5  # title + four paragraphs, one a line
    assert lines[1].startswith("4月11日，青山经开区召开")
    assert "地区生产总值86.4亿元，同比增长5.2%" in document.text  # full-width digits normalised
    for chrome in ("首页", "您的位置", "发布时间", "字体", "分享到", "打印本页", "上一篇", "相关阅读",
                   "版权所有", "ICP备", "主办单位", "体育官网", "关怀模式"):
        assert chrome not in document.text, chrome
    assert document.meta.title == "青山经开区召开一季度经济运行调度会"
    assert document.meta.publish_date == dt.date(2023, 4, 12)
    assert document.meta.publish_time == "09:30"
    assert document.meta.source == "青山经开区管委会办公室"
    assert [a.title for a in document.articles] == ["青山经开区召开一季度经济运行调度会"]


def test_html_raw_text_is_the_extracted_text_and_offsets_index_it() -> None:
    document = load_document(DATA / "gov_page.html")

    assert "<p>" not in document.raw_text and "８６．４亿元" in document.raw_text
    start = document.text.index("86.4亿元")
    raw_start = document.raw_offset(start)
    assert document.raw_text[raw_start : raw_start + 6] == "８６．４亿元"


def test_html_is_recognised_by_content_whatever_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "saved_page.txt"
    path.write_text(
        "<!DOCTYPE html><html><head><title>南川区经济运行简报</title></head>"
        "<body><p>一季度，南川区规模以上工业增加值同比增长7.7%。</p></body></html>",
        encoding="utf-8",
    )
    document = load_document(path)
    assert document.format == "html"
    assert document.text == "南川区经济运行简报\n一季度，南川区规模以上工业增加值同比增长7.7%。"


def test_html_falls_back_to_the_body_text_when_the_extractor_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *args, **kwargs: None)
    document = load_document(DATA / "gov_page.html")

    assert "会议通报，一季度全区实现地区生产总值86.4亿元" in document.text
    assert "会议强调，要把稳增长放在更加突出的位置" in document.text
    assert "版权所有" not in document.text and "上一篇" not in document.text and "首页" not in document.text
    assert document.meta.source == "青山经开区管委会办公室"


def test_html_in_gbk_with_its_meta_charset(tmp_path: Path) -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
        "<title>北湖区半年工作会</title></head><body><h1>北湖区半年工作会</h1>"
        "<p>上半年，北湖区社会消费品零售总额完成36.2亿元，同比增长5.5%。</p>"
        "<p>下半年，北湖区将力争全年地区生产总值增长7%左右。</p></body></html>"
    )
    path = tmp_path / "page.htm"
    path.write_bytes(html.encode("gbk"))
    document = load_document(path)
    assert document.encoding == "gb18030"
    assert "社会消费品零售总额完成36.2亿元" in document.text


# --- text given directly ---------------------------------------------------------------------


def test_document_from_text_is_cleaned_like_a_file(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")

    given = document_from_text(REPORT, name="inline")
    loaded = load_document(path)

    assert given.text == loaded.text and given.offsets == loaded.offsets and given.meta == loaded.meta
    assert given.sha256 == hashlib.sha256(REPORT.encode("utf-8")).hexdigest()
    assert given.encoding is None and given.name == "inline"


def test_document_from_empty_text_is_an_error() -> None:
    with pytest.raises(DocumentError, match="empty"):
        document_from_text("  \n\n ")


# --- bad input -------------------------------------------------------------------------------


def _error_for(path: Path, **kwargs: int) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        load_document(path, **kwargs)
    error = caught.value
    assert error.path == str(path)
    assert str(error).startswith(str(path) + ": ")
    assert "\n" not in str(error)
    return error


def test_missing_path(tmp_path: Path) -> None:
    assert _error_for(tmp_path / "absent.txt").reason == "does not exist"


def test_directory(tmp_path: Path) -> None:
    assert "directory" in _error_for(tmp_path).reason


def test_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert _error_for(fifo).reason == "not a regular file"


def test_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text(REPORT, encoding="utf-8")

    real_open = os.open

    def denied(name: object, *args: object, **kwargs: object) -> int:
        if os.fspath(name) == str(path):  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)  # root ignores chmod 000, so fake the refusal
    assert _error_for(path).reason == "unreadable: permission denied"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "empty file"),
        (b" \n\r\n\t \n", "empty file (whitespace only)"),
        ("365体育官网\n进入老年模式退出老年模式\n扫一扫在手机打开当前页\n".encode("utf-8"),
         "empty: no article text left after removing the site chrome"),
    ],
    ids=["zero-bytes", "whitespace", "chrome-only"],
)
def test_empty(tmp_path: Path, payload: bytes, reason: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(payload)
    assert _error_for(path).reason == reason


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "a ZIP archive"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (bytes(range(256)) * 8, "contains NUL bytes"),
        (bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 50 + "增长".encode(), "mostly control characters"),
    ],
    ids=["png", "zip", "jpeg", "nul", "control"],
)
def test_binary(tmp_path: Path, payload: bytes, kind: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(payload)
    reason = _error_for(path).reason
    assert reason.startswith("binary file") and kind in reason


def test_undecodable(tmp_path: Path) -> None:
    path = tmp_path / "garbled.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 10)
    assert _error_for(path).reason.startswith("undecodable: not UTF-8 (invalid start byte at byte 0)")


def test_a_corrupt_byte_in_utf8_is_reported_where_it_is(tmp_path: Path) -> None:
    # Decoding it some other way would garble the numbers; the user is told where to look.
    data = REPORT.encode("utf-8")
    path = tmp_path / "corrupt.txt"
    at = data.index(b"\n") + 1
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    assert _error_for(path).reason.startswith(f"undecodable: not UTF-8 (invalid start byte at byte {at})")


def test_undecodable_despite_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(codecs.BOM_UTF8 + "增长".encode() + b"\xff\xfe\xfd")
    assert _error_for(path).reason.startswith("undecodable: has a utf-8-sig byte-order mark")


def test_larger_than_the_limit_names_size_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(REPORT.encode("utf-8") * 20)
    size = path.stat().st_size
    reason = _error_for(path, max_bytes=1000).reason
    assert reason == (f"too large: {size:,} bytes is larger than the limit of 1,000 bytes "
                      "(raise it with --max-bytes or max_bytes in the config)")


def test_default_limit_is_a_few_megabytes(tmp_path: Path) -> None:
    assert 1024 * 1024 <= DEFAULT_MAX_BYTES <= 20 * 1024 * 1024
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (DEFAULT_MAX_BYTES + 1))
    reason = _error_for(path).reason
    assert "MB" in reason and f"{DEFAULT_MAX_BYTES:,} bytes" in reason


# --- expanding inputs ------------------------------------------------------------------------


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    for name in ("b.txt", "a.md", "sub/c.html", "sub/deeper/d.htm", "sub/e.markdown", "notes.csv",
                 "sub/image.png", "UPPER.TXT", ".hidden/f.txt", "sub/.g.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("上半年增长5%。", encoding="utf-8")
    (tmp_path / "empty_dir").mkdir()
    return tmp_path


def test_directories_expand_recursively_sorted_and_filtered(tree: Path) -> None:
    files, errors = expand_inputs([str(tree)])
    assert errors == []
    assert [p.relative_to(tree).as_posix() for p in files] == [
        "UPPER.TXT", "a.md", "b.txt", "sub/c.html", "sub/deeper/d.htm", "sub/e.markdown",
    ]


def test_globs_files_and_problems_keep_their_order(tree: Path) -> None:
    files, errors = expand_inputs(
        [str(tree / "b.txt"), str(tree / "sub" / "*.html"), str(tree / "nothing*.txt"),
         str(tree / "absent.txt"), str(tree / "empty_dir"), str(tree / "**" / "*.htm")]
    )
    assert [p.name for p in files] == ["b.txt", "c.html", "d.htm"]
    assert [(e.path, e.reason) for e in errors] == [
        (str(tree / "nothing*.txt"), "no file matches this pattern"),
        (str(tree / "absent.txt"), "does not exist"),
        (str(tree / "empty_dir"), "directory holds no .txt/.md/.markdown/.html/.htm/.pdf/.docx files"),
    ]


def test_a_file_named_twice_is_listed_once(tree: Path) -> None:
    files, _ = expand_inputs([str(tree / "b.txt"), str(tree / "*.txt"), str(tree)])
    assert [p.name for p in files].count("b.txt") == 1


def test_an_explicit_file_is_taken_whatever_its_suffix(tree: Path) -> None:
    files, errors = expand_inputs([str(tree / "notes.csv")])
    assert files == [tree / "notes.csv"] and errors == []


def test_an_html_fragment_given_as_text_is_extracted_too() -> None:
    document = document_from_text("<p>上半年，全区GDP增长6.1%。</p>\n<p>下半年，力争增长<b>7%</b>左右。</p>")
    assert document.format == "html"
    assert document.text == "上半年，全区GDP增长6.1%。\n下半年，力争增长7%左右。"
    assert document.raw_text == document.text  # nothing to clean in what the extractor gave


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), st.text(max_size=100).map(lambda t: t.encode("utf-8"))))
def test_any_bytes_load_or_fail_with_a_document_error(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "any.txt"
    path.write_bytes(payload)
    try:
        document = load_document(path)
    except DocumentError as error:
        assert error.path == str(path) and error.reason and "\n" not in error.reason
    else:
        assert document.text and document.articles
