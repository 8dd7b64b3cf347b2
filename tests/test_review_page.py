"""The review page and the batch index without a browser: escaping, segments and spans, file names."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from summarizer import extract_quantities, summarize
from summarizer.batch import BatchOptions, run_batch
from summarizer.config import load_config
from summarizer.render import render
from summarizer.review import review_items, segments
from summarizer.review_index import IndexEntry, index_page, indexed

REPORT = (
    "上半年，全区实现地区生产总值88.2亿元，同比增长6.5%；规模以上工业增加值同比增长9.3%。"
    "新增市场主体1200户。力争全年地区生产总值增长7%以上。"
    "但也要看到，部分企业订单不足。下一步，要抓好项目建设。"
)


def test_segments_rebuild_the_text_and_cut_at_every_quantity_and_evidence() -> None:
    summary = summarize(REPORT, backend="rules")
    items = review_items(summary)
    pieces = segments(summary.text, extract_quantities(summary.text), items)
    assert "".join(piece.text for piece in pieces) == summary.text
    starts, ends = {piece.start for piece in pieces}, {piece.end for piece in pieces}
    for item in items:
        assert item.start in starts and item.end in ends
        inside = "".join(piece.text for piece in pieces if item.start <= piece.start and piece.end <= item.end)
        assert inside == item.quote
    for piece in pieces:
        if piece.quantity is not None:
            assert piece.quantity.start <= piece.start and piece.end <= piece.quantity.end


def test_a_number_names_the_items_that_use_it() -> None:
    summary = summarize(REPORT, backend="rules")
    gdp = next(metric for metric in summary.metrics if metric.value == 88.2)
    pieces = segments(summary.text, extract_quantities(summary.text), review_items(summary))
    number = next(piece for piece in pieces if piece.quantity is not None and piece.text.startswith("88.2"))
    assert any(gdp.name in user for user in number.used_by)
    page = render(summary, "html")
    assert re.search(r'<span class="q q-amount used"[^>]*title="[^"]*' + re.escape(gdp.name), page)


def test_everything_from_the_document_is_escaped() -> None:
    hostile = '<script>window.pwned=1</script>上半年，地区生产总值增长6.2%。<img src=x onerror=alert(1)>"\'{{ 7 * 7 }}{% if %}'
    page = render(summarize(hostile, backend="rules"), "html")
    assert page.count("<script") == 1  # the page's own
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "{{ 7 * 7 }}" in page and "{% if %}" in page and ">49<" not in page  # data, never template source
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page  # nothing fetched


def test_html_pages_are_named_like_other_outputs_and_the_index_lists_every_document(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "index.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "<b>bad.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    report = run_batch([str(tmp_path)], BatchOptions(out_dir=out, fmt="html", backend="rules"), load_config())
    assert report.count("done") == 2 and report.count("failed") == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    outputs = {Path(entry["path"]).name: entry["output"] for entry in manifest["entries"]}
    assert outputs["report.txt"] == "report.html"
    assert outputs["index.txt"].startswith("index-") and outputs["index.txt"].endswith(".html")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="report.html">' in index
    assert "&lt;b&gt;bad.txt" in index and "<b>bad" not in index
    failed = next(entry for entry in manifest["entries"] if entry["status"] == "failed")
    assert html.escape(failed["error"], quote=False) in index
    summary = summarize(REPORT, backend="rules")
    all_metrics = index.split('id="metrics"')[1]
    assert all_metrics.count("<tr>") - 1 == 2 * (len(summary.metrics) + len(summary.targets))  # two documents


def test_every_batch_writes_an_index_beside_its_manifest(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    for fmt in ("json", "md"):
        out = tmp_path / fmt
        run_batch([str(tmp_path / "report.txt")], BatchOptions(out_dir=out, fmt=fmt, backend="rules"), load_config())
        index = (out / "index.html").read_text(encoding="utf-8")
        assert "report.txt" in index and "done" in index
        assert 'href="report.' not in index  # only review pages are linked
    stream = tmp_path / "all.jsonl"
    run_batch([str(tmp_path / "report.txt")], BatchOptions(out_dir=stream, backend="rules", fmt="jsonl"), load_config())
    assert "report.txt" in (tmp_path / "all.index.html").read_text(encoding="utf-8")


def test_a_resumed_document_keeps_its_counts_in_the_index(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "out"
    summary = summarize(REPORT, backend="rules")
    for resume in (False, True):
        options = BatchOptions(out_dir=out, fmt="html", backend="rules", resume=resume)
        report = run_batch([str(tmp_path / "report.txt")], options, load_config())
    assert report.count("skipped") == 1
    [entry] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["entries"]
    assert entry["counts"]["metrics"] == len(summary.metrics) and entry["counts"]["dropped"] == 0
    row = (out / "index.html").read_text(encoding="utf-8").split('<tr class="skipped">')[1].split("</tr>")[0]
    assert f'<td class="n">{len(summary.metrics)}</td><td class="n">{len(summary.targets)}</td>' in row


def test_a_large_index_is_streamed_in_pieces_that_never_cut_a_value() -> None:
    digest = indexed(summarize(REPORT, backend="rules"))
    entries = [
        IndexEntry(f"docs/报告{number:05d}.txt", "done", None, f"报告{number:05d}.json", 0.5, digest.counts, digest)
        for number in range(400)
    ]
    pieces = list(index_page(entries, fmt="json", manifest_name="manifest.json", pages=False))
    assert len(pieces) > 10  # written piece by piece, never held whole
    page = "".join(pieces)
    assert page.count("<tr") >= 400 and page.rstrip().endswith("</html>")
    for entry in entries[::37]:
        assert sum(piece.count(entry.path) for piece in pieces) == page.count(entry.path) > 0  # none cut in two
