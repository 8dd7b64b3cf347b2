"""The jieba loader: the fast way in gives jieba's own answers."""

from __future__ import annotations

import subprocess
import sys

from summarizer.text.words import word_boundaries, word_tags, words


def test_words_are_dictionary_words_and_boundaries_follow_them() -> None:
    cut = words("高新区召开经济运行分析会")
    assert "".join(cut) == "高新区召开经济运行分析会"
    assert "高新区" in cut and "召开" in cut
    assert word_boundaries("高新区召开") == [3, 5]


def test_the_tag_table_tags_place_names() -> None:
    tags = word_tags()
    assert tags["北京"] == "ns" and tags["召开"].startswith("v")


def test_loading_the_dictionary_imports_no_pkg_resources() -> None:
    """pkg_resources is slow to import and deprecated; jieba only wanted it to open its own files."""
    probe = (
        "import sys\n"
        "from summarizer.text.words import words, word_tags\n"
        "assert words('上半年经济运行平稳') and word_tags()\n"
        "assert 'pkg_resources' not in sys.modules, 'pkg_resources was imported'\n"
        "import importlib.util\n"
        "if importlib.util.find_spec('pkg_resources') is not None:\n"
        "    import pkg_resources  # still importable afterwards\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
