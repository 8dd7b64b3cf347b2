"""Loading and cleaning: bytes -> text (encoding, HTML) -> cleaned text with offsets kept.

Every later step quotes the cleaned text (``Document.text``), so cleaning only ever *drops* raw
characters or maps one raw character to one cleaned character; it never invents text. That keeps
``Document.offsets`` a plain index map: ``offsets[i]`` is the index in ``raw_text`` of the character
that became ``text[i]`` (non-decreasing, ``offsets[len(text)] == len(raw_text)``).

Decoding (``decode_bytes``): known binary magic numbers are refused; a byte-order mark decides
(UTF-8-sig, UTF-16, UTF-32); NUL bytes mean UTF-16 without a BOM when they sit on one byte parity
and decode cleanly, binary otherwise; then strict UTF-8 (fast and exact); then charset-normalizer,
reading every GB label (and the CJK multibyte guesses it makes on short Chinese text) as GB18030,
the superset that mainland government pages use.

HTML (``.html``/``.htm`` or text that starts like an HTML document) is reduced to the article by
trafilatura (favouring recall, one paragraph a line). When trafilatura finds nothing, the text of
``<body>`` from lxml stands in. ``raw_text`` is that extracted text, headed by the page title when
the extractor left the title out. Title, publish date and source come from the page's own meta
lines (发布时间/来源), then from trafilatura's metadata.

Cleaning (``clean_text``), line by line:

* The cleaned text holds one paragraph, heading or caption per line, separated by a single
  ``"\\n"`` (mapped to the raw line break after the line before it); blank lines, leading
  indentation (also full-width) and trailing spaces go. With no title stated, the first line, when
  it reads as a heading, is the title.
* Characters are normalised one for one: full-width digits, letters, ％ and the full-width point
  between digits become ASCII (NFKC on those characters only); full-width and no-break spaces
  and tabs become " "; ASCII ``, ; :`` next to a Chinese character (or Chinese punctuation) become
  ``，；：``, so does ``,`` between numbers of a Chinese line unless it separates thousands ("7%,8月",
  "5,6月份" but "1,234"), and an ASCII bracket pair touching Chinese becomes ``（）``. A time (08:43)
  and a ratio (3:1) keep their colon.
* Markdown: heading markers (``#``), blockquote markers, ``**bold**``/``__bold__``, stray ``**``,
  link syntax (the link text stays) and images go. Headings stay as their own lines. Pinyin
  readings in brackets after characters (mirrored pages: 技（jì）術（shù）) go too.
* Traditional characters become simplified ones, one for one, with OpenCC's tables (億元 ->
  亿元): every cue, unit and indicator name is then read in one script.
* Site chrome (the lexicon below) is dropped line by line, after its meta lines gave the title
  (in the page header, before any sentence, the short line just above a 发布时间/来源 line; the
  short lines above that title are header chrome too), publish date and time, source, author and
  editor. After a "相关阅读"-style marker the short link lines that follow go as well. Betting
  spam goes only when alone on a short line. Image captions starting with ▲ are the page's own
  text and stay; photo credits ("会议现场 某某 摄") go. Lines without a letter, digit or Chinese
  character (placeholder "??????" runs, rules) go.
* A sentence broken across lines is rejoined only when all of these hold: the first block is body
  text, not a heading (markdown ``#``, a 【】 marker line, or a line of at most 50 characters with
  no 。！？； and at most one comma); the second block is the very next kept line, is not itself
  heading-like and does not start a paragraph (【】, ▲, a quote, a list marker, a byline, an opener
  such as 会议/要/同时/今年); and the break is plausibly inside a sentence: between two Chinese
  characters a dictionary word (jieba, without HMM guessing) spans it, after a digit the next block
  starts with a unit (亿, 万, %, 个 ...), or the first block ends on ，/、. Anything else stays
  apart, so out-of-order fragments of a page are never welded into an invented sentence.

Articles (``split_articles``): a new article starts at a headline (up to three heading-like lines,
never a masthead such as "第3版" or "星期五") directly followed by an article lead: a byline or
dateline (本报讯, 记者/通讯员, （记者 …）, …日讯, …日电). Section headings inside one story (seed 000's
"##" sections, seed 002's 【】 markers) are not followed by a lead and do not split. A block without
a headline always stays with the article before it, and headings with no body text yet (a page
banner) stay with the article they head. The page's metadata (``Document.meta``) holds for every
article; the input file stays the unit.
"""

from __future__ import annotations

import codecs
import datetime as dt
import glob
import hashlib
import itertools
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal

from summarizer.errors import DocumentError
from summarizer.schema import SourceInfo
from summarizer.text.sentences import SENTENCE_PUNCT, is_heading
from summarizer.text.words import words as dictionary_words

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
Format = Literal["text", "markdown", "html"]
INPUT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")

# ---------------------------------------------------------------------------------------------
# The chrome lexicon. Lines are matched after character normalisation (so "字体:" and "字体：" alike).

#: A line of at most ``CHROME_LINE_MAX`` characters that contains one of these is site chrome.
CHROME_PHRASES = (
    # accessibility and display switches
    "老年模式", "关怀模式", "长者模式", "无障碍浏览", "无障碍阅读", "无障碍模式", "视力保护色",
    "简体版", "繁體版", "繁体版",
    # page tools
    "扫一扫在手机打开", "扫一扫", "手机扫码", "用手机看", "打印本页", "打印此页", "打印文章",
    "关闭窗口", "关闭本页", "【打印】", "【关闭】", "[打印]", "[关闭]", "收藏本页", "加入收藏",
    "设为首页", "返回顶部", "返回首页", "返回列表", "返回上一页", "分享到", "分享至", "我要纠错", "网站纠错",
    "扫描二维码", "二维码分享", "网站导航", "位访客",
    # counters
    "浏览量", "浏览次数", "阅读量", "阅读次数", "点击数", "点击量", "访问量", "访问次数",
    # WeChat reposts
    "阅读原文", "点击上方蓝字", "长按识别二维码", "长按二维码",
    # footers
    "联系我们", "网站地图", "站点地图", "网站声明", "隐私声明", "免责声明", "关于我们",
)
CHROME_LINE_MAX = 60

#: A line (up to ``CHROME_PATTERN_LINE_MAX`` characters) in which one of these is found is site chrome.
CHROME_LINE_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        r"^(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|所在位置|现在位置)\s*[：:]",
        r"^首页\s*(?:[>＞»›→/]|&gt;)",
        r"^[【\[]?\s*字[体号]\s*[：:]?\s*(?:[大中小]\s*)*[】\]]?\s*$",
        r"^(?:上一篇|下一篇|上一条|下一条|上一页|下一页)",
        r"^分享\s*[：:]",
        r"^(?:责任编辑|编辑|审核|校对|终审|初审|复审)\s*[：:]",
        r"(?:主办|承办|协办|维护|运维|建设|管理)单位\s*[：:]|技术支持\s*[：:]|建议使用.{0,20}分辨率",
        r"(?:地址|电话|邮编|传真|邮箱|E-?mail)\s*[：:].{0,60}(?:地址|电话|邮编|传真|邮箱|E-?mail)\s*[：:]",
        r"版权所有|ICP备|ICP证|公网安备|网站标识码|[Cc]opyright|COPYRIGHT|©",
        r"^阅读\s*(?:\d+(?:\.\d+)?万?\+?)$",  # a WeChat view counter: 阅读 1.3万, 阅读 10万+
        r"^(?:(?:分享|点赞|在看|收藏|转发|推荐)\s*){2,}$",  # a WeChat action bar
    )
)
CHROME_PATTERN_LINE_MAX = 200

#: Markers after which the page lists other articles: the marker and the short lines after it go.
RELATED_MARKERS = re.compile(
    r"^[【\[]?(?:相关阅读|相关链接|相关文章|相关新闻|相关稿件|相关报道|推荐阅读|延伸阅读|热点推荐|热门文章|猜你喜欢)"
)
RELATED_LINK_MAX = 50

#: Betting-site spam injected into hacked pages; only ever dropped when alone on a short line.
SPAM_TERMS = (
    "bet365", "BET365", "365体育", "体育官网", "体育官方", "体育平台", "体育app", "体育APP", "体育网址",
    "博彩", "赌场", "赌博", "百家乐", "老虎机", "娱乐城", "娱乐官网", "真人视讯", "棋牌", "彩票",
    "电子游戏", "投注", "开户送", "澳门新葡京", "新葡京", "澳门威尼斯人", "威尼斯人", "澳门金沙",
    "澳门银河", "澳门赌", "葡京",
)
SPAM_LINE_MAX = 20
#: "xx体育" brand lines ("某某体育", "ob体育") this short are spam too.
SPAM_BRAND = re.compile(r"^[\w·]{1,6}(?:体育|娱乐)$")

#: Short lines of menu words ("首页 政务公开 新闻中心 互动交流") are navigation.
NAV_WORDS = frozenset(
    "首页 政务公开 信息公开 新闻中心 新闻动态 工作动态 政务服务 互动交流 公众参与 政民互动 通知公告 "
    "走进 概况 领导之窗 机构设置 政策文件 政策解读 专题专栏 办事服务 网上办事 数据开放 English".split()
)

#: Meta-line labels whose value is kept. Generic 时间/日期 count only next to one of these.
_META_LABEL = re.compile(
    r"(?:^|(?<=[\s?？|｜/【】\[\]]))"
    r"(发布时间|发布日期|发表时间|发表日期|更新时间|成文日期|时间|日期|信息来源|文章来源|稿件来源|稿源|来源|"
    r"作者|撰稿|责任编辑|编辑|浏览量|浏览次数|浏览|阅读量|访问量|点击数|点击量|点击|字体|字号|"
    r"索引号|发布机构|发文机关|生成日期|主题分类|公开方式|公开范围|文号)\s*[：:]\s*"
)
_STRONG_META = frozenset(
    "发布时间 发布日期 发表时间 发表日期 更新时间 成文日期 信息来源 文章来源 稿件来源 稿源 来源 作者 撰稿 "
    "责任编辑 编辑 浏览量 浏览次数 浏览 阅读量 访问量 点击数 点击量 点击 索引号 发布机构 发文机关 生成日期".split()
)
_DATE = re.compile(
    r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2}:\d{2}(?::\d{2})?))?"
)
#: A line holding only a web-style timestamp ("2022-08-05 08:43"); "2023年8月11日" alone reads as text.
_DATE_LINE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+(\d{1,2}:\d{2}(?::\d{2})?))?\s*$")
#: A photo credit such as "会议现场 某某 摄" or "某某 图".
_PHOTO_CREDIT = re.compile(r"^.{0,16}\s(?:摄|图|摄影|供图|制图)$|^[（(]?(?:摄影|图片来源|图/)")

# ---------------------------------------------------------------------------------------------
# Characters.

_SPACES = " \t\u3000\xa0\ufeff\u200b\u200c\u200d\u2002\u2003\u2009\u202f\f\v"
_FULLWIDTH = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
    0xFF05: ord("%"),
    0x3000: ord(" "),
    0x00A0: ord(" "),
    0x2002: ord(" "),
    0x2003: ord(" "),
    0x2009: ord(" "),
    0x202F: ord(" "),
    0x0009: ord(" "),
}
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CHINESE_CONTEXT = _CJK + "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201d\u2014\u2026"
_CHINESE_CONTEXT_CHAR = re.compile(f"[{_CHINESE_CONTEXT}]")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_PUNCT_CONTEXT = re.compile(rf"(?<=[{_CHINESE_CONTEXT}])[,;:]|[,;:](?=[{_CHINESE_CONTEXT}])")
#: A comma between numbers that is not a thousands separator ("7.5%,8月", "5,6月份"; not "1,234").
_LIST_COMMA = re.compile(r"(?<=%),(?=\d)|(?<=\d),(?=\d)(?!\d{3}(?!\d))")
_PAREN_PAIR = re.compile(r"\([^()\n]{0,40}\)")
_FULLWIDTH_POINT = re.compile(r"(?<=[0-9０-９])．(?=[0-9０-９])")
_CHINESE_PUNCT = {",": "，", ";": "；", ":": "："}


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff"


def normalise_line(line: str) -> str:
    """Apply the documented one-for-one character normalisation to one line (length kept)."""
    line = _simplified(_FULLWIDTH_POINT.sub(".", line).translate(_FULLWIDTH))
    if not any(c in line for c in ",;:("):
        return line
    chars = list(line)
    for match in _PUNCT_CONTEXT.finditer(line):  # 1,234 and 08:43 touch no Chinese and stay
        chars[match.start()] = _CHINESE_PUNCT[match.group()]
    if _CJK_CHAR.search(line):
        for match in _LIST_COMMA.finditer(line):
            chars[match.start()] = "，"
    for match in _PAREN_PAIR.finditer(line):
        i, j = match.start(), match.end() - 1
        touching = line[i - 1 : i] + line[i + 1 : i + 2] + line[j - 1 : j] + line[j + 1 : j + 2]
        if _CHINESE_CONTEXT_CHAR.search(touching):
            chars[i], chars[j] = "（", "）"
    return "".join(chars)


@lru_cache(maxsize=1)
def _to_simplified() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


def _simplified(line: str) -> str:
    """Traditional characters as simplified ones, one for one (億元 -> 亿元, 個百分點 -> 个百分点).

    OpenCC's phrase tables keep a line's length in practice; where one would not, the line is
    converted character by character, so the offset map stays exact either way.
    """
    if not _CJK_CHAR.search(line):
        return line
    convert = _to_simplified()
    converted = convert(line)
    if len(converted) == len(line):
        return converted
    return "".join(c if len(t := convert(c)) != 1 else t for c in line)


# ---------------------------------------------------------------------------------------------
# Public data types.


@dataclass(frozen=True)
class PageMeta:
    """What the page's chrome says about the article before the chrome is dropped."""

    title: str | None = None
    publish_date: dt.date | None = None
    publish_time: str | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None

    def merged(self, fallback: PageMeta) -> PageMeta:
        """This meta, its missing fields taken from ``fallback``."""
        return PageMeta(
            **{name: getattr(self, name) or getattr(fallback, name) for name in self.__dataclass_fields__}
        )


@dataclass(frozen=True)
class Article:
    """One article of the cleaned text: ``text[start:end]``."""

    index: int
    start: int
    end: int
    title: str | None = None


@dataclass(frozen=True)
class Document:
    """A loaded, cleaned document. Every offset anywhere in summarizer indexes ``text``."""

    name: str
    text: str
    raw_text: str
    offsets: tuple[int, ...]
    sha256: str
    encoding: str | None = None
    format: Format = "text"
    meta: PageMeta = field(default_factory=PageMeta)
    articles: tuple[Article, ...] = ()

    def source_info(self) -> SourceInfo:
        """Where every summary of this document says it came from."""
        return SourceInfo(path=self.name, sha256=self.sha256, encoding=self.encoding, format=self.format)

    def raw_offset(self, offset: int) -> int:
        """Map an offset of ``text`` (0..len(text)) back to ``raw_text``."""
        return self.offsets[offset]

    def article_text(self, article: Article) -> str:
        """The cleaned text of one of this document's articles."""
        return self.text[article.start : article.end]


# ---------------------------------------------------------------------------------------------
# Inputs.


def expand_inputs(inputs: Iterable[str]) -> tuple[list[Path], list[DocumentError]]:
    """Files, directories (recursively, known suffixes, sorted) and globs, in the order given.

    Problems become errors in the second list, so that one bad argument never stops a batch.
    """
    files: list[Path] = []
    errors: list[DocumentError] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            files.append(path)

    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = _files_under(path)
            if not found:
                errors.append(DocumentError(item, f"directory holds no {'/'.join(INPUT_SUFFIXES)} files"))
            for found_path in found:
                add(found_path)
        elif path.exists():
            add(path)
        elif glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                errors.append(DocumentError(item, "no file matches this pattern"))
            for match in matches:
                match_path = Path(match)
                for found_path in _files_under(match_path) if match_path.is_dir() else [match_path]:
                    add(found_path)
        else:
            errors.append(DocumentError(item, "does not exist"))
    return files, errors


def _files_under(folder: Path) -> list[Path]:
    """Known suffixes only, hidden files and folders (.git, .cache) left out."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in INPUT_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and p.is_file()
    )


def load_document(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode, extract (HTML) and clean one file; every failure is a one-line DocumentError."""
    name = os.fspath(path)
    data = _read_bytes(Path(name), name, max_bytes)
    if not data:
        raise DocumentError(name, "empty file")
    text, encoding = decode_bytes(data, name=name)
    if not text.strip(_SPACES + "\r\n"):
        raise DocumentError(name, "empty file (whitespace only)")
    suffix = Path(name).suffix.lower()
    doc_format: Format = "markdown" if suffix in (".md", ".markdown") else "text"
    if suffix in (".html", ".htm") or _looks_like_html(text):
        doc_format = "html"
    return _build(name, text, hashlib.sha256(data).hexdigest(), encoding, doc_format)


def document_from_text(text: str, *, name: str = "<text>") -> Document:
    """A document from a string given directly, cleaned exactly like a loaded file."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if not text.strip():
        raise DocumentError(name, "empty text")
    return _build(name, text, digest, None, "html" if _looks_like_html(text) else "text")


def _read_bytes(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        if path.is_dir():
            raise DocumentError(name, "is a directory, not a file")
        if path.exists() and not path.is_file():
            raise DocumentError(name, "not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(name, f"too large: {_size(size)} is larger than the limit of {_size(max_bytes)}")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise DocumentError(name, "does not exist") from None
    except PermissionError:
        raise DocumentError(name, "unreadable: permission denied") from None
    except IsADirectoryError:
        raise DocumentError(name, "is a directory, not a file") from None
    except OSError as exc:
        raise DocumentError(name, f"unreadable: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew while we looked
        raise DocumentError(name, f"too large: larger than the limit of {_size(max_bytes)}")
    return data


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB ({n:,} bytes)" if n >= 1024 * 1024 else f"{n:,} bytes"


def _build(name: str, text: str, digest: str, encoding: str | None, fmt: Format) -> Document:
    """Extract (HTML), clean and split; the one path both a file and a given string take."""
    page_meta = PageMeta()
    if fmt == "html":
        text, page_meta = html_to_text(text)
    cleaned, offsets, meta = _clean(text)
    meta = meta.merged(page_meta)
    if not cleaned:
        raise DocumentError(name, "empty: no article text left after removing the site chrome")
    meta = meta.merged(PageMeta(title=_first_heading(cleaned)))
    articles = split_articles(cleaned)
    if len(articles) == 1 and articles[0].title is None:
        articles = (Article(index=0, start=0, end=len(cleaned), title=meta.title),)
    return Document(
        name=name,
        text=cleaned,
        raw_text=text,
        offsets=offsets,
        sha256=digest,
        encoding=encoding,
        format=fmt,
        meta=meta,
        articles=articles,
    )


# ---------------------------------------------------------------------------------------------
# Bytes to text.

_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc/.xls)"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B}
#: Guesses charset-normalizer makes for short GB text; mainland pages are GB18030 far more often.
_READ_AS_GB18030 = frozenset(
    "gb2312 gbk gb18030 hz big5 big5hkscs cp950 cp949 euc_kr euc_jp euc_jis_2004 euc_jisx0213 "
    "shift_jis shift_jis_2004 shift_jisx0213 cp932".split()
)


def decode_bytes(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode ``data`` to text and name the encoding; DocumentError when it is binary or undecodable."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise DocumentError(name, f"binary file ({kind}), not text")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    name, f"undecodable: has a {encoding} byte-order mark but {exc.reason} at byte {exc.start}"
                ) from None
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise DocumentError(name, "binary file (contains NUL bytes), not text")
        return utf16
    sample = data[:65536]
    if sum(byte in _CONTROL_BYTES for byte in sample) > len(sample) // 10:
        raise DocumentError(name, "binary file (mostly control characters), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = f"not UTF-8 ({exc.reason} at byte {exc.start})"
    return _detect(data, name, utf8_error)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 puts the NUL half of every ASCII character (newlines, digits) on one byte parity."""
    if len(data) % 2:
        return None
    sample = data[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 4 * even:
        encoding = "utf-16-le"
    elif even > 4 * odd:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    controls = sum(ord(c) in _CONTROL_BYTES or c == "\x00" for c in text[:32768])
    return (text, encoding) if controls <= len(text[:32768]) // 100 else None


def _detect(data: bytes, name: str, utf8_error: str) -> tuple[str, str]:
    import charset_normalizer

    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise DocumentError(name, f"undecodable: {utf8_error}, nor GB18030, UTF-16 or any other text encoding")
    guesses = {codecs.lookup(match.encoding).name.replace("-", "_") for match in matches}
    if guesses & _READ_AS_GB18030:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    return str(best), codecs.lookup(best.encoding).name


# ---------------------------------------------------------------------------------------------
# HTML to text.

#: A page, or a fragment that opens with a block element ("<p>...", "<div ...>").
_HTML_START = re.compile(
    r"\A\s*(?:<!--.*?-->\s*|<\?xml[^>]*>\s*)*"
    r"<(?:!doctype\s+html|html|head|body|meta|p|div|section|article|table|h[1-6])\b",
    re.I | re.S,
)
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt", "nav", "aside", "form", "td", "th",
)


def _looks_like_html(text: str) -> bool:
    return _HTML_START.match(text[:4096]) is not None


def html_to_text(html: str) -> tuple[str, PageMeta]:
    """The article text of a page (one paragraph a line) and what the page says about it."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, favor_recall=True, include_comments=False, include_tables=True, with_metadata=True
    )
    page_text = _body_text(html)
    _, _, page_meta = _clean(page_text)  # the meta lines trafilatura leaves out
    text = (extracted.text or "") if extracted is not None else ""
    if not text.strip():
        text = page_text
    extractor_meta = PageMeta()
    if extracted is not None:
        extractor_meta = PageMeta(
            title=_plain(extracted.title),
            publish_date=_parse_iso_date(extracted.date),
            source=_plain(extracted.sitename),
            author=_plain(extracted.author),
        )
    meta = page_meta.merged(extractor_meta)
    if meta.title and not text.lstrip(_SPACES + "\r\n").startswith(meta.title):
        text = f"{meta.title}\n{text}"
    return text, meta


def _body_text(html: str) -> str:
    """lxml's text of <body>, a line per block element: the fallback and the source of meta lines."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8")  # bytes: a str may not carry an XML declaration
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except lxml.etree.ParserError:
        return ""
    for element in list(root.iter("script", "style", "noscript", "template", "head")):
        element.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    body = root.find("body")
    return (body if body is not None else root).text_content()


def _plain(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _parse_iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Cleaning.


@dataclass
class _Block:
    """One kept line: its text after normalisation and the raw spans it came from."""

    text: str
    spans: list[tuple[int, int]]
    newline: int  # raw index of the line break after it
    heading: bool = False  # a markdown heading


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+")
_MD_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")
_MD_QUOTE = re.compile(r"^(?:>[ \t]?)+")
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"(\[)[^\]\n]+(\]\([^)\s]+(?:\s+\"[^\"\n]*\")?\))")
_MD_EMPHASIS = re.compile(r"(\*\*|__|~~)(?=\S)(?:.+?)(?<=\S)(\1)")
_MD_STRAY = re.compile(r"\*{2,}")
_MD_SYNTAX = re.compile(r"[#>!\[*_~（(]")
#: A pinyin reading in brackets after a character of a mirrored page: 技（jì）術（shù）, 個(gè).
#: A syllable with its tone mark: an English word in brackets (（yoy）) has none and stays.
_PINYIN = re.compile(
    r"(?<=[\u3400-\u9fff])[（(][a-zü]{0,5}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-zü]{0,5}[)）]"
)
_WORD = re.compile(r"[^\W_]")


def clean_text(raw: str) -> tuple[str, tuple[int, ...], PageMeta]:
    """Cleaned text, its map back to ``raw`` and the page meta (see the module docstring)."""
    text, offsets, meta = _clean(raw)
    return text, offsets, meta.merged(PageMeta(title=_first_heading(text)))


def _clean(raw: str) -> tuple[str, tuple[int, ...], PageMeta]:
    """Kept lines joined into paragraphs; text and offsets are gathered as parts and ranges, joined
    once at the end, so that a few megabytes clean in linear time."""
    blocks, meta = _kept_blocks(raw)
    parts: list[str] = []
    offsets: list[Iterable[int]] = []
    previous: _Block | None = None
    heading = False  # whether the paragraph being built is a heading (only a one-block paragraph can be)
    tail = ""  # its last characters, for the join test
    for block in blocks:
        if previous is not None and not heading and _joins(tail, block):
            tail = (tail + block.text)[-8:]
        else:
            if previous is not None:
                parts.append("\n")
                offsets.append((previous.newline,))
            heading = block.heading or block.text.startswith("【") or is_heading(block.text)
            tail = block.text[-8:]
        parts.append(block.text)
        offsets.extend(range(a, b) for a, b in block.spans)
        previous = block
    flat = tuple(itertools.chain.from_iterable(offsets)) + (len(raw),)
    return "".join(parts), flat, meta


def _kept_blocks(raw: str) -> tuple[list[_Block], PageMeta]:
    """The lines that are article text, and what the dropped meta lines said."""
    blocks: list[_Block] = []
    facts = _PageFacts()
    in_related = False
    for start, end, newline in _lines(raw):
        spans, md_heading = _markdown_spans(raw, start, end)
        if not spans:
            continue
        text = normalise_line("".join(raw[a:b] for a, b in spans))
        if not _WORD.search(text):
            continue
        if in_related:
            if len(text) <= RELATED_LINK_MAX and not any(c in text for c in SENTENCE_PUNCT):
                continue
            in_related = False
        if _meta_line(text, facts):
            _take_title(blocks, facts)
            continue
        if RELATED_MARKERS.match(text):
            in_related = True
            continue
        if _is_chrome(text):
            continue
        blocks.append(_Block(text, spans, newline, md_heading))
    return blocks, facts.meta()


def _lines(raw: str) -> Iterator[tuple[int, int, int]]:
    """(content start, content end, line-break index) per line, surrounding spaces left out."""
    for match in _LINE.finditer(raw):
        line = match.group()
        if not line:
            continue
        body = line.rstrip("\r\n")
        newline = match.start() + len(body)
        stripped = body.strip(_SPACES)
        if stripped:
            start = match.start() + (len(body) - len(body.lstrip(_SPACES)))
            yield start, start + len(stripped), newline if line != body else len(raw)


def _markdown_spans(raw: str, start: int, end: int) -> tuple[list[tuple[int, int]], bool]:
    """The raw spans of a line that survive markdown markup removal, and whether it is a heading."""
    line = raw[start:end]
    if not _MD_SYNTAX.search(line):
        return [(start, end)], False
    cuts: list[tuple[int, int]] = []
    heading = _MD_HEADING.match(line)
    if heading:
        cuts.append(heading.span())
        cuts.extend(match.span() for match in _MD_HEADING_CLOSE.finditer(line))
    quote = _MD_QUOTE.match(line)
    if quote:
        cuts.append(quote.span())
    cuts.extend(match.span() for match in _MD_IMAGE.finditer(line))
    for match in _MD_LINK.finditer(line):
        cuts.extend((match.span(1), match.span(2)))
    for match in _MD_EMPHASIS.finditer(line):
        cuts.extend((match.span(1), match.span(2)))
    cuts.extend(match.span() for match in _MD_STRAY.finditer(line))
    cuts.extend(match.span() for match in _PINYIN.finditer(line))
    if not cuts:
        return [(start, end)], False
    spans: list[tuple[int, int]] = []
    position = 0
    for cut_start, cut_end in sorted(cuts):
        if cut_start > position:
            spans.append((position, cut_start))
        position = max(position, cut_end)
    if position < len(line):
        spans.append((position, len(line)))
    spans = _strip_spans(line, spans)
    return [(start + a, start + b) for a, b in spans], heading is not None


def _strip_spans(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Trim the spaces that markup removal exposed at either end of the line."""
    while spans:
        a, b = spans[0]
        a += len(line[a:b]) - len(line[a:b].lstrip(_SPACES))
        if a < b:
            spans[0] = (a, b)
            break
        spans.pop(0)
    while spans:
        a, b = spans[-1]
        b -= len(line[a:b]) - len(line[a:b].rstrip(_SPACES))
        if a < b:
            spans[-1] = (a, b)
            break
        spans.pop()
    return spans


@dataclass
class _PageFacts:
    """What the meta lines said so far; the first statement of each fact wins, except that a date
    labelled 发布/发表 beats one labelled otherwise (生成日期, 更新时间, a bare timestamp)."""

    title: str | None = None
    publish_date: dt.date | None = None
    publish_time: str | None = None
    date_is_publication: bool = False
    source: str | None = None
    author: str | None = None
    editor: str | None = None

    def take_date(self, match: re.Match[str] | None, *, publication: bool = False) -> None:
        if match is None or (self.publish_date and (self.date_is_publication or not publication)):
            return
        try:
            self.publish_date = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return
        self.publish_time = match.group(4)
        self.date_is_publication = publication

    def take_value(self, label: str, value: str) -> None:
        if not value:
            return
        if label.endswith(("时间", "日期")):
            self.take_date(_DATE.search(value), publication=label.startswith(("发布", "发表")))
        elif label.endswith("来源") or label in ("稿源", "发布机构", "发文机关"):
            self.source = self.source or value
        elif label in ("作者", "撰稿"):
            self.author = self.author or value
        elif label.endswith("编辑"):
            self.editor = self.editor or value

    def meta(self) -> PageMeta:
        return PageMeta(
            title=self.title, publish_date=self.publish_date, publish_time=self.publish_time,
            source=self.source, author=self.author, editor=self.editor,
        )


def _meta_line(text: str, facts: _PageFacts) -> bool:
    """Whether ``text`` is a meta line (发布时间/来源 ...); what it states goes into ``facts``."""
    if len(text) > 200:
        return False
    if _DATE_LINE.match(text):
        facts.take_date(_DATE.match(text))
        return True
    labels = list(_META_LABEL.finditer(text))
    if not labels or not ({m.group(1) for m in labels} & _STRONG_META or labels[0].group(1) in ("字体", "字号")):
        return False
    if text[: labels[0].start()].strip("【[ ") and not _DATE.match(text):
        return False  # a label must open the line (or follow a date): "会议时间：" is text
    for label, following in zip(labels, labels[1:] + [None]):
        value = text[label.end() : following.start() if following else len(text)]
        value = re.split(r"\s{2,}|[?？|｜]", value.strip(_SPACES + "?？|｜【】[]"))[0].strip()
        facts.take_value(label.group(1), value)
    if labels[0].start() != 0:
        facts.take_date(_DATE.match(text.lstrip("【[ ")))
    return True


def _take_title(blocks: list[_Block], facts: _PageFacts) -> None:
    """In the page header (no sentence kept yet), the line just above a meta line is the title.

    The short lines above that title are the rest of the header (menus, banners) and go too.
    """
    if facts.title or not blocks or not all(is_heading(block.text, limit=80) for block in blocks):
        return
    facts.title = blocks[-1].text
    del blocks[:-1]


# The lexicon compiled into one alternation each, so that a line costs one scan per list.
_CHROME_PATTERN = re.compile("|".join(f"(?:{p.pattern})" for p in CHROME_LINE_PATTERNS))
_CHROME_PHRASE = re.compile("|".join(map(re.escape, CHROME_PHRASES)))
_SPAM_TERM = re.compile("|".join(map(re.escape, SPAM_TERMS)))
_SHORT_LINE_PUNCT = re.compile("[，。；！？、]")


def _is_chrome(text: str) -> bool:
    if len(text) > CHROME_PATTERN_LINE_MAX:
        return False
    if _CHROME_PATTERN.search(text):
        return True
    if len(text) > CHROME_LINE_MAX:
        return False
    if _CHROME_PHRASE.search(text):
        return True
    if len(text) <= SPAM_LINE_MAX and not _SHORT_LINE_PUNCT.search(text):
        if _SPAM_TERM.search(text) or SPAM_BRAND.match(text) or _PHOTO_CREDIT.match(text):
            return True
    return _is_navigation(text)


def _is_navigation(text: str) -> bool:
    words = [w for w in re.split(r"[\s|｜·/]+", text) if w]
    if len(words) < 3 or any(len(w) > 8 for w in words) or any(c in text for c in "，。；！？"):
        return False
    return words[0] == "首页" or sum(w in NAV_WORDS for w in words) >= 2


# ---------------------------------------------------------------------------------------------
# Headings, joins and articles.

_PARAGRAPH_START = re.compile(
    r"^(?:[【\[#▲△●■◆◇★☆•·“‘「『\"'（(]"
    r"|[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十]+[，、,:：是]|[一二三四五六七八九十]是|其[一二三四五六七八九十]"
    r"|\d+[、.．)）]|首先|其次|最后|此外|另外|同时|与此同时|会议|会上|要|今年|去年|上半年|下半年|一季度|当前|目前|近日|日前|据"
    r"|本报|记者|通讯员)"
)
_MASTHEAD = re.compile(r"第\s*\d+\s*版|星期[一二三四五六日天]|\d{4}年\d{1,2}月\d{1,2}日")
_NUMBER_CONTINUATION = "亿万千百十%个家项元年月日号名位人次倍"
_LEAD = re.compile(
    r"^[\[【（(]?\s*(?:本报讯|本报记者|本报通讯员|记者|通讯员|特约记者|见习记者|新华社|中新社|中新网|人民网|央视网)"
    r"|^.{0,24}?(?:本报讯|日讯|日电[\s（(]|电[（(]记者)"
)




def _first_heading(text: str) -> str | None:
    """The page's title when it states none: its first line, when that is heading-like."""
    first = text.split("\n", 1)[0]
    return first if is_heading(first, limit=80) and not _LEAD.match(first) else None


def _joins(previous: str, block: _Block) -> bool:
    """Whether ``block`` continues the sentence that the body paragraph ending in ``previous`` breaks off."""
    nxt = block.text
    if block.heading or is_heading(nxt) or _PARAGRAPH_START.match(nxt):
        return False
    last, first = previous[-1], nxt[0]
    if last in "，、,":
        return _is_cjk(first) or first.isalnum()
    if last.isdigit():
        return first in _NUMBER_CONTINUATION
    if _is_cjk(last) and _is_cjk(first):
        return _word_spans_break(previous[-6:], nxt[:6])
    return False


def _word_spans_break(before: str, after: str) -> bool:
    position = 0
    for word in dictionary_words(before + after):
        if position < len(before) < position + len(word):
            return True
        position += len(word)
    return False




def split_articles(text: str) -> tuple[Article, ...]:
    """The articles of a cleaned page (see the module docstring for the rule); at least one."""
    lines: list[tuple[int, str]] = []
    position = 0
    for line in text.split("\n"):
        lines.append((position, line))
        position += len(line) + 1
    # body_before[i]: how many lines before line i are body text rather than headings
    body_before = list(itertools.accumulate((not is_heading(line) for _, line in lines), initial=0))
    first_lines: list[int] = [0]
    titles: list[str | None] = [_first_heading(text) if text else None]
    for j in range(1, len(lines)):
        if not _LEAD.match(lines[j][1]):
            continue
        k = j
        while k > 0 and j - k < 3 and _is_headline(lines[k - 1][1]):
            k -= 1
        if k == j:
            continue  # a byline without a headline belongs to the running article
        title = _pick_title([line for _, line in lines[k:j]])
        if body_before[k] == body_before[first_lines[-1]]:
            titles[-1] = title  # only headings so far (a masthead, a page banner): the same article
            continue
        first_lines.append(k)
        titles.append(title)
    starts = [lines[i][0] for i in first_lines]
    ends = [start - 1 for start in starts[1:]] + [len(text)]
    return tuple(
        Article(index=i, start=start, end=end, title=title)
        for i, (start, end, title) in enumerate(zip(starts, ends, titles))
    )


def _is_headline(line: str) -> bool:
    """A heading that can head an article: not a byline, not a page masthead (第3版, 星期五)."""
    return is_heading(line) and not _LEAD.match(line) and not _MASTHEAD.search(line)


def _pick_title(headlines: list[str]) -> str:
    """Of a kicker, headline and subtitle, the headline is the longest line not led by a dash."""
    candidates = [h for h in headlines if not h.startswith(("—", "-"))] or headlines
    return max(candidates, key=len)
