"""PDF and Word inputs, and files without a suffix: the same report read from every format.

Every input is written at test time: the PDF by reportlab with its built-in Chinese CID font
(STSong-Light, no font file needed) so that it has a real text layer, the .docx by python-docx.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from html import escape
from pathlib import Path

import docx
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer import summarize
from summarizer.document import expand_inputs, load_document
from summarizer.errors import DocumentError
from summarizer.formats import docx as docx_format
from summarizer.formats import pdf as pdf_format
from summarizer.schema import Summary


TITLE = "青湖高新区召开上半年经济运行分析会"
PARAGRAPHS = (
    "7月16日，青湖高新区召开上半年经济运行分析会，区委书记主持会议并讲话。",
    "会议指出，上半年全区经济运行稳中有进。全区地区生产总值完成302.3亿元，同比增长6.8%；"
    "规模以上工业增加值同比增长9.4%，增速居全市第一。固定资产投资完成118.6亿元，同比增长12.5%，"
    "其中工业投资增长18.2%。社会消费品零售总额完成64.7亿元，同比增长7.3%。一般公共预算收入完成23.45亿元，"
    "同比增长5.6%。",
    "但也要看到，部分企业订单不足，重点项目建设后劲不足的问题依然存在。",
    "会议要求，下半年要聚焦重点项目攻坚，力争全年地区生产总值增长7%左右，确保固定资产投资增长12%以上。",
)
REPORT_TEXT = TITLE + "\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
CLEANED = TITLE + "\n" + "\n".join(PARAGRAPHS)


def body_style() -> object:
    """Chinese body text as a report sets it: 12 pt, wrapped anywhere, the first line indented two characters."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=18, firstLineIndent=24, wordWrap="CJK")


def write_pdf(path: Path, *, pages: int = 1, **options: object) -> Path:
    """A PDF with a text layer: the title, then paragraphs wrapped by reportlab."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    body = body_style()
    heading = ParagraphStyle("title", fontName="STSong-Light", fontSize=16, leading=24, alignment=1, spaceAfter=12)
    story: list[object] = []
    for page in range(pages):
        if page:
            story.append(PageBreak())
        story.append(Paragraph(TITLE, heading))
        story.extend(Paragraph(escape(text), body) for text in PARAGRAPHS)
    SimpleDocTemplate(str(path), **options).build(story)
    return path


def write_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading(TITLE, level=1)
    for text in PARAGRAPHS:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def write_html(path: Path) -> Path:
    body = "".join(f"<p>{escape(text)}</p>" for text in PARAGRAPHS)
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{TITLE}</title></head>"
        f"<body><article><h1>{TITLE}</h1>{body}</article></body></html>",
        encoding="utf-8",
    )
    return path


@pytest.fixture()
def report_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "report.txt").write_text(REPORT_TEXT, encoding="utf-8")
    write_html(folder / "report.html")
    write_pdf(folder / "report.pdf")
    write_docx(folder / "report.docx")
    return folder


def metric_rows(summary: Summary) -> list[tuple[str, float | None, str | None, float | None]]:
    return [(m.name, m.value, m.unit, m.growth_pct) for m in summary.metrics]


# --- one report, four formats ----------------------------------------------------------------


def test_a_folder_scan_lists_pdf_and_docx(report_folder: Path) -> None:
    files, errors = expand_inputs([str(report_folder)])
    assert errors == []
    assert [path.name for path in files] == ["report.docx", "report.html", "report.pdf", "report.txt"]


def test_a_folder_scan_lists_a_doc_so_that_it_fails_saying_what_to_do(report_folder: Path) -> None:
    (report_folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    (report_folder / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    files, _ = expand_inputs([str(report_folder)])
    assert [path.name for path in files] == ["old.doc", "report.docx", "report.html", "report.pdf", "report.txt"]
    with pytest.raises(DocumentError, match=r"save it as \.docx$"):
        load_document(report_folder / "old.doc")


def test_every_format_gives_the_same_metrics_quoted_from_its_own_text(report_folder: Path) -> None:
    summaries = {path.suffix: summarize(path, backend="rules") for path in sorted(report_folder.iterdir())}
    expected = metric_rows(summaries[".txt"])
    assert ("地区生产总值", 302.3, "亿元", 6.8) in expected
    for suffix, summary in summaries.items():
        assert metric_rows(summary) == expected, suffix
        assert [t.name for t in summary.targets] == [t.name for t in summaries[".txt"].targets], suffix
        text = load_document(report_folder / f"report{suffix}").text
        for metric in summary.metrics:
            assert text[metric.evidence.start : metric.evidence.end] == metric.evidence.quote, suffix
    assert summaries[".pdf"].source.format == "pdf" and summaries[".docx"].source.format == "docx"
    assert summaries[".pdf"].source.encoding is None


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_the_cleaned_text_is_the_report_and_offsets_index_the_extracted_text(report_folder: Path, suffix: str) -> None:
    path = report_folder / f"report{suffix}"
    document = load_document(path)
    assert document.text == CLEANED  # the wrapped PDF lines are whole paragraphs again
    assert document.meta.title == TITLE
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(document.offsets) == len(document.text) + 1
    assert document.offsets[-1] == len(document.raw_text)
    for index, char in enumerate(document.text):
        if char != "\n":
            assert document.raw_text[document.offsets[index]] == char


def test_the_pdf_text_layer_keeps_the_chinese_characters(tmp_path: Path) -> None:
    raw = load_document(write_pdf(tmp_path / "r.pdf")).raw_text
    assert "地区生产总值完成302.3亿元" in raw and "\ufffd" not in raw and "(cid:" not in raw


def test_a_paragraph_broken_by_a_page_goes_on_and_page_numbers_go(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    def number(page: object, _: object) -> None:
        page.setFont("Helvetica", 9)  # type: ignore[attr-defined]
        page.drawCentredString(A4[0] / 2, 30, f"- {page.getPageNumber()} -")  # type: ignore[attr-defined]

    path = tmp_path / "long.pdf"
    long_paragraph = PARAGRAPHS[1] * 30  # longer than a page
    body = body_style()
    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Paragraph(long_paragraph, body), Paragraph(PARAGRAPHS[2], body)], onFirstPage=number, onLaterPages=number
    )
    document = load_document(path)
    assert document.text == long_paragraph + "\n" + PARAGRAPHS[2]


def test_docx_tables_are_read_row_by_row_after_the_paragraph_before_them(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("上半年主要经济指标完成情况如下。")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, [("指标", "完成值", "增速"), ("地区生产总值", "302.3亿元", "6.8%"), ("", "", "")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    merged = document.add_table(rows=2, cols=2)
    merged.cell(0, 0).merge(merged.cell(1, 0)).text = "工业"
    merged.cell(0, 1).text = "增长9.4%"
    merged.cell(1, 1).text = "居全市第一"
    frame = document.add_table(rows=1, cols=1)  # a table used as a frame around plain paragraphs
    frame.cell(0, 0).text = "会议要求，下半年要力争全年增长7%左右。"
    frame.cell(0, 0).add_paragraph("确保固定资产投资增长12%以上。")
    document.save(str(tmp_path / "tables.docx"))

    assert load_document(tmp_path / "tables.docx").raw_text.splitlines() == [
        "上半年主要经济指标完成情况如下。",
        "| 指标 | 完成值 | 增速 |",
        "| 地区生产总值 | 302.3亿元 | 6.8% |",
        "| 工业 | 增长9.4% |",
        "| 居全市第一 |",
        "会议要求，下半年要力争全年增长7%左右。",
        "确保固定资产投资增长12%以上。",
    ]


def test_docx_headings_stay_their_own_lines(tmp_path: Path) -> None:
    # As plain text, a line after one ending in "，" would be read as the rest of its sentence.
    before = "上半年，全区地区生产总值完成302.3亿元，同比增长6.8%，"
    heading = "重点项目完成投资超过全年计划的六成，产业结构持续优化，发展质量稳步提升"
    document = docx.Document()
    document.add_paragraph(before)
    document.add_heading(heading, level=2)
    document.save(str(tmp_path / "h.docx"))
    assert load_document(tmp_path / "h.docx").text == before + "\n" + heading


# --- what cannot be read ---------------------------------------------------------------------


def test_a_scanned_pdf_fails_asking_for_ocr(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path))
    page.rect(72, 72, 400, 600, fill=1)  # a page image stands in: no text at all
    page.showPage()
    page.save()
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert "no text layer, OCR it first" in caught.value.reason


def encrypt(path: Path, *, user_password: str, algorithm: str) -> Path:
    """``path`` encrypted in place by pypdf (reportlab's own encryption garbles CID font names)."""
    writer = pypdf.PdfWriter(clone_from=path)
    no_copying = -1 & ~16  # every permission bit set except bit 5, "extract text"
    writer.encrypt(user_password=user_password, owner_password="owner", permissions_flag=no_copying, algorithm=algorithm)
    writer.write(path)
    return path


def test_a_text_layer_whose_font_maps_no_characters_fails_asking_for_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pdfminer.pdffont import PDFCIDFont, PDFUnicodeNotDefined

    def unmapped(font: object, cid: int) -> str:
        raise PDFUnicodeNotDefined(None, cid)

    monkeypatch.setattr(PDFCIDFont, "to_unichr", unmapped)  # a font without a ToUnicode map, as some writers leave it
    with pytest.raises(DocumentError) as caught:
        load_document(write_pdf(tmp_path / "glyphs.pdf"))
    assert caught.value.reason.startswith("text layer unreadable: ")
    assert caught.value.reason.endswith("characters map to no letter in the PDF's fonts; OCR it first")


def test_a_pdf_with_a_user_password_fails_with_that_reason(tmp_path: Path) -> None:
    path = encrypt(write_pdf(tmp_path / "locked.pdf"), user_password="secret", algorithm="AES-256")
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert caught.value.reason == "encrypted PDF: it needs a password to open; save a copy without one"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_a_pdf_that_only_forbids_copying_is_read(tmp_path: Path, algorithm: str) -> None:
    # Government sites often publish PDFs that open without a password but forbid copying text.
    path = encrypt(write_pdf(tmp_path / "nocopy.pdf"), user_password="", algorithm=algorithm)
    assert load_document(path).text == CLEANED


def test_too_many_pages_are_refused_before_they_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_pdf(tmp_path / "pages.pdf", pages=3)
    monkeypatch.setattr(pdf_format, "MAX_PAGES", 2)
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert caught.value.reason == "too many pages: 3, more than the limit of 2"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "payload", "reason"),
    [
        ("cut.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "corrupt PDF: "),
        ("noise.pdf", bytes(range(256)) * 4, "not a PDF, though named .pdf (it does not start with %PDF-)"),
        ("page.pdf", "<html><body>404 页面不存在</body></html>".encode(), "not a PDF, though named .pdf"),
        ("misnamed.txt", b"%PDF-1.4\ngarbage", "corrupt PDF: "),  # the bytes decide, as for HTML
        ("noise.docx", bytes(range(256)) * 4, "not a Word document, though named .docx (it is not a ZIP archive)"),
        ("cut.docx", b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "corrupt .docx: not a readable ZIP archive"),
        ("archive.docx", _zip({"a.txt": b"x"}), "not a Word document, though named .docx (a ZIP archive without word/document.xml)"),
        ("broken.docx", _zip({"word/document.xml": b"<w:document"}), "corrupt .docx: "),
        ("sheet.docx", _zip({"xl/workbook.xml": b"<workbook/>"}), "binary file (an Excel .xlsx workbook), not text"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "binary file (an old Office .doc/.xls document), not text; save it as .docx"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 16 else None,
)
def test_unreadable_containers_fail_with_a_one_line_reason(tmp_path: Path, name: str, payload: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert caught.value.reason.startswith(reason) and "\n" not in caught.value.reason
    assert caught.value.path == str(path)


def test_a_docx_bomb_is_refused_before_it_is_unpacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_format, "MAX_UNPACKED_BYTES", 1024 * 1024)
    path = tmp_path / "bomb.docx"
    path.write_bytes(_zip({"word/document.xml": b"<" * (2 * 1024 * 1024)}))  # 2 MB from a few kilobytes
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert caught.value.reason.startswith("too large unpacked: the .docx expands to")


# --- files without a suffix ------------------------------------------------------------------


def test_files_without_a_suffix_are_inputs_when_their_bytes_say_so(report_folder: Path) -> None:
    (report_folder / "plain").write_text(REPORT_TEXT, encoding="utf-8")
    (report_folder / "gbk").write_bytes(REPORT_TEXT.encode("gbk") * 20)  # longer than the sniffed prefix
    (report_folder / "printed").write_bytes((report_folder / "report.pdf").read_bytes())
    (report_folder / "word").write_bytes((report_folder / "report.docx").read_bytes())
    (report_folder / "tool").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8)  # a stray executable
    (report_folder / "image").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (report_folder / "empty").write_bytes(b"")

    files, errors = expand_inputs([str(report_folder)])

    assert errors == []
    assert sorted(path.name for path in files if not path.suffix) == ["gbk", "plain", "printed", "word"]
    formats = {path.name: load_document(path).format for path in files if not path.suffix}
    assert formats == {"gbk": "text", "plain": "text", "printed": "pdf", "word": "docx"}


def test_a_binary_file_without_a_suffix_named_directly_fails_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "tool"
    path.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(64))
    files, errors = expand_inputs([str(path)])
    assert files == [path] and errors == []
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert caught.value.reason == "binary file (an executable), not text"


def test_sniffing_reads_only_a_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "big").write_bytes(REPORT_TEXT.encode("utf-8") * 2000)  # about 0.5 MB
    read: list[int] = []
    real_read = os.read

    def counting_read(handle: int, size: int) -> bytes:
        read.append(size)
        return real_read(handle, size)

    monkeypatch.setattr(os, "read", counting_read)
    files, _ = expand_inputs([str(tmp_path)])
    assert [path.name for path in files] == ["big"]
    assert sum(read) <= 16 * 1024


@pytest.fixture(scope="module")
def container_bytes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("containers")
    return {".pdf": write_pdf(folder / "r.pdf").read_bytes(), ".docx": write_docx(folder / "r.docx").read_bytes()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    suffix=st.sampled_from([".pdf", ".docx"]),
    cut=st.floats(min_value=0.0, max_value=1.0),
    damage=st.lists(st.tuples(st.floats(min_value=0.0, max_value=0.999), st.integers(0, 255)), max_size=8),
)
def test_a_damaged_pdf_or_docx_loads_or_fails_with_a_document_error(
    tmp_path: Path, container_bytes: dict[str, bytes], suffix: str, cut: float, damage: list[tuple[float, int]]
) -> None:
    data = bytearray(container_bytes[suffix])
    for where, byte in damage:
        data[int(where * len(data))] = byte
    path = tmp_path / f"damaged{suffix}"
    path.write_bytes(bytes(data[: max(1, int(cut * len(data)))]))
    try:
        document = load_document(path)
    except DocumentError as error:
        assert error.path == str(path) and error.reason and "\n" not in error.reason
    else:
        assert document.offsets[-1] == len(document.raw_text)
