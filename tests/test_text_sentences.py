"""The one segmentation layer: what a sentence, a piece, a clause, a heading and a section are."""

from __future__ import annotations

from summarizer import chunking, document, grounding, quantities
from summarizer.text import sentences
from summarizer.text.sentences import is_heading, segment

REPORT = (
    "滨湖区召开上半年经济运行分析会\n"
    "7月12日，滨湖区召开上半年经济运行分析会，区长王某主持会议。\n"
    "会议指出，上半年全区经济运行稳中有进，地区生产总值增长6.1%。\n"
    "但也要清醒看到，工业投资增长乏力，部分企业经营困难。\n"
    "会议要求，下半年重点抓好以下工作：一是加快项目建设，推动签约项目落地；二是强化招商引资，"
    "引进一批龙头企业。要持续优化营商环境，深化企业服务，要守牢安全底线。\n"
)


def words(piece: sentences.Piece) -> str:
    return REPORT[piece.body : piece.end]


def test_every_stage_reads_the_same_sentence_end() -> None:
    assert quantities.SENTENCE_END is sentences.SENTENCE_END
    assert grounding.SENTENCE_END is sentences.SENTENCE_END
    assert chunking._SENTENCE_END.pattern.startswith(f"[{sentences.SENTENCE_PUNCT}]")
    assert document.is_heading is is_heading


def test_headings_are_short_lines_without_sentence_punctuation() -> None:
    assert is_heading("滨湖区召开上半年经济运行分析会")
    assert is_heading("【布置】下半年重点工作，全力冲刺")
    assert not is_heading("会议指出，上半年全区经济运行稳中有进。")
    assert not is_heading("要加快项目建设，")


def test_pieces_split_at_duties_enumerations_and_new_work() -> None:
    discourse = segment(REPORT)
    body = [words(p) for p in discourse.pieces if not p.heading]
    assert "加快项目建设，推动签约项目落地" in body
    assert "强化招商引资，引进一批龙头企业" in body
    assert "要持续优化营商环境，深化企业服务" in body and "要守牢安全底线" in body
    announcing = next(p for p in discourse.pieces if "以下工作" in words(p))
    assert announcing.announces


def test_a_speaker_frame_and_an_enumerator_are_not_the_content() -> None:
    discourse = segment(REPORT)
    first = next(p for p in discourse.pieces if "一是" in REPORT[p.start : p.end])
    assert first.enumerator == "一是" and words(first).startswith("加快项目建设")
    results = next(p for p in discourse.pieces if "稳中有进" in REPORT[p.start : p.end])
    assert REPORT[results.start : results.body] == "会议指出，"


def test_sections_come_from_openers_and_carry_on_in_their_paragraph() -> None:
    discourse = segment(REPORT)
    section = {words(p)[:6]: (p.section, p.declared) for p in discourse.pieces}
    assert section["7月12日，"][0] == "frame"
    assert section["上半年全区经"] == ("results", True)
    assert section["但也要清醒看"] == ("problems", True)
    assert section["加快项目建设"][0] == "work"
    assert section["强化招商引资"] == ("work", False)  # no opener of its own: its paragraph's


def test_a_turn_to_shortfalls_inside_a_sentence_is_a_piece_of_its_own() -> None:
    discourse = segment("会议指出，今年以来全县经济总体平稳，但对照全年目标，形势依然严峻。")
    assert [(p.section, words_of(discourse.text, p)) for p in discourse.pieces] == [
        ("results", "今年以来全县经济总体平稳"),
        ("problems", "但对照全年目标，形势依然严峻"),
    ]


def test_work_goes_on_into_a_paragraph_that_opens_with_a_verb_of_work() -> None:
    discourse = segment("会议要求，要抓好项目建设。\n加快推进园区扩容。\n全区工业增加值增长8%。")
    assert [p.section for p in discourse.pieces] == ["work", "work", "other"]


def test_clauses_have_ids_in_text_order_and_respect_quotes() -> None:
    discourse = segment("要坚持“稳中求进，以进促稳”，抓好项目建设。要强化保障。")
    clauses = discourse.clauses
    assert [c.id for c in clauses] == ["c1", "c2", "c3"]
    assert discourse.text[clauses[0].start : clauses[0].end] == "要坚持“稳中求进，以进促稳”"
    assert discourse.clause_by_id()["c3"].piece == 1


def words_of(text: str, piece: sentences.Piece) -> str:
    return text[piece.body : piece.end]
