"""Loading and cleaning: bytes -> text (encoding, HTML, PDF, DOCX) -> cleaned text with offsets kept.

Every later step quotes the cleaned text (``Document.text``), so cleaning only ever *drops* raw
characters or maps one raw character to one cleaned character; it never invents text. That keeps
``Document.offsets`` a plain index map: ``offsets[i]`` is the index in ``raw_text`` of the character
that became ``text[i]`` (non-decreasing, ``offsets[len(text)] == len(raw_text)``).

Reading (``load_document``): only a regular file is opened, and only once ``stat`` shows it is
within ``max_bytes`` (a FIFO, a device, a socket, a link loop each fail with their reason); ``-``
reads standard input, at most ``max_bytes`` of it.

PDF and Word (``summarizer.formats``): the bytes decide (``%PDF-``; a ZIP holding
``word/document.xml``), whatever the name; a ``.pdf`` or ``.docx`` file that is not one fails
saying so. ``raw_text`` is then the extracted text (one paragraph a line), which the offset map
indexes like any other raw text; ``sha256`` stays that of the file's bytes and ``encoding`` is None.

Decoding (``decode_bytes``): known binary magic numbers are refused; a byte-order mark decides
(UTF-8-sig, UTF-16, UTF-32); a NUL byte in otherwise valid UTF-8 is a failure naming its byte
position; other NUL bytes mean UTF-16 without a BOM when they sit on one byte parity and decode
cleanly, binary otherwise; then strict UTF-8 (fast and exact); then charset-normalizer. When it
sees a CJK multibyte encoding, GB18030 (the superset mainland government pages use) and Big5 are
both tried and the reading whose characters are common Chinese ones wins; when neither clearly
does, charset-normalizer's own guess is kept if it is confident, else the file fails as
"uncertain encoding" rather than be read as garbage.

HTML (``.html``/``.htm`` or text that starts like an HTML document) is reduced to the article by
trafilatura (favouring recall, one paragraph a line). When trafilatura finds nothing, the text of
``<body>`` from lxml stands in. ``raw_text`` is that extracted text, headed by the page title when
the extractor left the title out. Title, publish date and source come from the page's own meta
lines (发布时间/来源), then from trafilatura's metadata. A page nested deeper than trafilatura's
parser reads (255 levels) is handed to it parsed already (up to 2,048 levels); deeper than that,
the page fails with that reason rather than lose its text unsaid.

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
  亿元): every cue, unit and indicator name is then read in one script. The summary is written
  back in the page's own script (``summarizer.script``).
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
import errno
import glob
import hashlib
import itertools
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterable, Iterator, Literal, Protocol, cast

from summarizer.errors import DocumentError
from summarizer.formats import container, sniff_container
from summarizer.schema import SourceInfo
from summarizer.text.sentences import SENTENCE_PUNCT, is_heading
from summarizer.text.words import words as dictionary_words

if TYPE_CHECKING:
    from trafilatura.settings import Document as ExtractedPage

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
Format = Literal["text", "markdown", "html", "pdf", "docx"]
INPUT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
#: Named like a report, in a format that cannot be read: a folder scan lists them, so that each
#: fails saying what to convert it to instead of being passed over.
UNREADABLE_SUFFIXES = (".doc",)
#: How much of a file without a suffix a folder scan reads to tell whether it is an input.
SNIFF_BYTES = 16 * 1024

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

    def written(self, start: int, end: int) -> str | None:
        """``text[start:end]`` in the characters the source wrote, or None when cleaning kept them.

        Cleaning reads traditional script as simplified one for one, so each Chinese character of
        the span maps to the one it came from; everything else cleaning did (pinyin and spaces
        dropped, full-width digits narrowed) stays as cleaned, since the quote must still read.
        """
        if not self.script_changed:
            return None
        written = "".join(self.written_char(index) for index in range(start, end))
        return written if written != self.text[start:end] else None

    def written_char(self, index: int) -> str:
        """``text[index]`` as the source wrote it: the Chinese character it was converted from, if any."""
        char = self.text[index]
        if _is_cjk(char):
            source = self.raw_text[self.offsets[index]]
            if _is_cjk(source):
                return source
        return char

    @cached_property
    def script_changed(self) -> bool:
        """Whether cleaning changed any Chinese character: one set difference, so that a document
        in simplified script (nearly all) pays nothing per quote."""
        return any(_is_cjk(char) for char in set(self.raw_text).difference(self.text))

    def article_text(self, article: Article) -> str:
        """The cleaned text of one of this document's articles."""
        return self.text[article.start : article.end]


# ---------------------------------------------------------------------------------------------
# Inputs.


#: The input that means "read standard input" (``summarizer summarize -``); a file named "-" is ``./-``.
STDIN = "-"


def expand_inputs(inputs: Iterable[str]) -> tuple[list[Path], list[DocumentError]]:
    """Files, directories (recursively, known suffixes or sniffed, sorted) and globs, in the order given.

    Only regular files (and ``-``, standard input) come back as files. Every other path met on
    the way that looks like an input (a FIFO, a device or a socket, a folder named ``x.txt``, a
    broken link, a symlink loop, a name too long, an unreadable folder) becomes an error in the
    second list with its one-line reason: one bad argument never stops a batch, and no input is
    left out silently. Each file, problem and folder counts once however many ways it is named.
    Nothing here opens a file, except the first bytes of a regular file without a suffix in a
    folder (to tell whether it is an input); a file named directly is taken whatever it holds.
    """
    found = _Found()
    for item in inputs:
        if item == STDIN:
            found.add(Path(STDIN))
            continue
        kind, reason = _path_kind(item)
        if kind == "dir":
            before = found.size()
            if _scan_folder(Path(item), found) and found.size() == before:
                found.fail(item, f"directory holds no {'/'.join(INPUT_SUFFIXES)} files")
        elif kind == "file":
            found.add(Path(item))
        elif kind == "missing" and glob.has_magic(item):
            try:
                matches = sorted(glob.glob(item, recursive=True))
            except (OSError, RecursionError) as exc:
                found.fail(item, _os_reason(exc) if isinstance(exc, OSError) else "pattern reaches folders nested too deeply")
                continue
            if not matches:
                found.fail(item, "no file matches this pattern")
            for match in matches:
                match_kind, match_reason = _path_kind(match)
                if match_kind == "dir":
                    _scan_folder(Path(match), found)
                elif match_kind == "file":
                    found.add(Path(match))
                else:
                    found.fail(match, match_reason)
        else:
            found.fail(item, reason)
    return found.files, found.errors


class _Found:
    """What ``expand_inputs`` has found so far: files and problems, each once, and the folders read."""

    def __init__(self) -> None:
        self.files: list[Path] = []
        self.errors: list[DocumentError] = []
        self.seen: set[str] = set()
        self.folders: set[tuple[int, int]] = set()

    def size(self) -> tuple[int, int]:
        return len(self.files), len(self.errors)

    @staticmethod
    def _key(path: str | os.PathLike[str]) -> str:
        name = os.fspath(path)
        return STDIN if name == STDIN else os.path.realpath(name)  # realpath never raises on a loop

    def add(self, path: Path) -> None:
        if _printable(path) != os.fspath(path):
            self.fail(path, "file name is not valid UTF-8; rename the file")
            return
        key = self._key(path)
        if key not in self.seen:
            self.seen.add(key)
            self.files.append(path)

    def fail(self, path: str | os.PathLike[str], reason: str) -> None:
        key = "\0".join((self._key(path), reason))
        if key not in self.seen:
            self.seen.add(key)
            self.errors.append(DocumentError(_printable(path), reason))


def _printable(path: str | os.PathLike[str]) -> str:
    """A path as text that can be printed and stored: undecodable bytes of its name become U+FFFD."""
    name = os.fspath(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return name


def _path_kind(path: str | os.PathLike[str]) -> tuple[Literal["file", "dir", "missing", "bad"], str]:
    """What ``path`` is, links followed, without opening it; when it is no input, why."""
    try:
        status = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        if os.path.islink(path):
            return "bad", "broken symbolic link: what it points to does not exist"
        return "missing", "does not exist"
    except OSError as exc:
        return "bad", _os_reason(exc)
    except ValueError:  # a NUL character in the name
        return "bad", "invalid file name"
    if stat.S_ISDIR(status.st_mode):
        return "dir", ""
    if stat.S_ISREG(status.st_mode):
        return "file", ""
    return "bad", "not a regular file"


def _os_reason(exc: OSError) -> str:
    """A one-line reason for an OS error met while looking at or reading an input."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENAMETOOLONG:
        return "name too long for the file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "unreadable: permission denied"
    if exc.errno == errno.EISDIR:
        return "is a directory, not a file"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "does not exist"
    return f"unreadable: {exc.strerror or exc}"


def _scan_folder(root: Path, found: _Found) -> bool:
    """Depth first, names sorted (the order ``sorted(rglob(...))`` gives), hidden names left out.

    A file is taken when its suffix is one of ``INPUT_SUFFIXES`` (or ``UNREADABLE_SUFFIXES``, to
    fail with its reason), or when it has no suffix and its first bytes show an input
    (``_sniffed_input``); a file without a suffix that is binary or empty (a stray executable) is
    not an input and is passed over, as a ``.png`` is.

    Linked folders are followed, each folder read once; a link back to a folder that holds it is
    a loop (reported, not followed). The walk keeps its own stack, so depth costs no recursion.
    False when ``root`` was read already.
    """
    def listing(folder: Path) -> Iterator[str] | None:
        try:
            with os.scandir(folder) as entries:
                return iter(sorted(entry.name for entry in entries))
        except OSError as exc:
            found.fail(folder, "unreadable folder: " + _os_reason(exc).removeprefix("unreadable: "))
            return None

    def identity(status: os.stat_result) -> tuple[int, int]:
        return status.st_dev, status.st_ino

    try:
        root_id = identity(os.stat(root))
    except OSError as exc:
        found.fail(root, _os_reason(exc))
        return True
    if root_id in found.folders:
        return False
    found.folders.add(root_id)
    names = listing(root)
    if names is None:
        return True
    stack: list[tuple[Path, Iterator[str], tuple[int, int]]] = [(root, names, root_id)]
    above = {root_id}  # the folders on the stack
    while stack:
        folder, names, folder_id = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            above.discard(folder_id)
            continue
        if name.startswith("."):
            continue
        path = folder / name
        suffix = Path(name).suffix.lower()
        named_like_input = suffix in INPUT_SUFFIXES or suffix in UNREADABLE_SUFFIXES
        try:
            status = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            if named_like_input:
                found.fail(path, "broken symbolic link: what it points to does not exist")
            continue
        except OSError as exc:
            if named_like_input or exc.errno in (errno.ELOOP, errno.ENAMETOOLONG):
                found.fail(path, _os_reason(exc))
            continue
        if stat.S_ISDIR(status.st_mode):
            if named_like_input:
                found.fail(path, "is a directory, not a file (the files inside it are read on their own)")
            key = identity(status)
            if key in above:
                found.fail(path, "symbolic link loop: leads back to a folder that holds it")
                continue
            if key in found.folders:
                continue  # a second link to a folder already read
            found.folders.add(key)
            inner = listing(path)
            if inner is not None:
                stack.append((path, inner, key))
                above.add(key)
        elif not named_like_input:
            if not suffix and stat.S_ISREG(status.st_mode):
                try:
                    if _sniffed_input(path):
                        found.add(path)
                except DocumentError as error:
                    found.fail(path, error.reason)
        elif stat.S_ISREG(status.st_mode):
            found.add(path)
        else:
            found.fail(path, "not a regular file")
    return True


def load_document(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode or extract (HTML, PDF, DOCX) and clean one file; every failure is a one-line DocumentError.

    Only a regular file is opened, and only once its size is known to be within ``max_bytes``;
    ``-`` reads standard input (at most ``max_bytes``).
    """
    name = os.fspath(path)
    data = _read_stdin(max_bytes) if name == STDIN else _read_bytes(name, max_bytes)
    if not data:
        raise DocumentError(name, "empty file")
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(name).suffix.lower()
    kind = container(data, name=name, suffix=suffix)
    if kind == "pdf":
        from summarizer.formats.pdf import pdf_text

        return _build(name, pdf_text(data, name=name), digest, None, "pdf")
    if kind == "docx":
        from summarizer.formats.docx import docx_text

        return _build(name, docx_text(data, name=name), digest, None, "docx")
    text, encoding = decode_bytes(data, name=name)
    if not text.strip(_SPACES + "\r\n"):
        raise DocumentError(name, "empty file (whitespace only)")
    doc_format: Format = "markdown" if suffix in (".md", ".markdown") else "text"
    if suffix in (".html", ".htm") or _looks_like_html(text):
        doc_format = "html"
    return _build(name, text, digest, encoding, doc_format)


def document_from_text(text: str, *, name: str = "<text>", max_bytes: int | None = None) -> Document:
    """A document from a string given directly, cleaned exactly like a loaded file.

    With ``max_bytes``, a text longer than that in UTF-8 is refused like a file would be.
    """
    if max_bytes is not None and len(text) * 4 > max_bytes:  # only then can it be too long
        size = len(text) if len(text) > max_bytes else len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise _too_large(name, f"{_size(size)} of text is", max_bytes)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if not text.strip():
        raise DocumentError(name, "empty text")
    return _build(name, text, digest, None, "html" if _looks_like_html(text) else "text")


def _too_large(name: str, size: int | str, max_bytes: int) -> DocumentError:
    """``size``: the bytes counted, or words saying what is too large; the reason names the setting to change."""
    what = f"{_size(size)} is" if isinstance(size, int) else size
    return DocumentError(
        name, f"too large: {what} larger than the limit of {_size(max_bytes)} (raise it with --max-bytes or max_bytes in the config)"
    )


def _read_bytes(name: str, max_bytes: int) -> bytes:
    """The bytes of a regular file within ``max_bytes``; nothing else is ever opened.

    ``stat`` decides before anything is opened (a FIFO would block an open, ``/dev/zero`` never
    ends), then ``_open_regular`` checks again on what it opened.
    """
    kind, reason = _path_kind(name)
    if kind == "dir":
        raise DocumentError(name, "is a directory, not a file")
    if kind != "file":
        raise DocumentError(name, reason)
    try:
        size = os.stat(name).st_size
    except OSError as exc:
        raise DocumentError(name, _os_reason(exc)) from None
    if size > max_bytes:
        raise _too_large(name, size, max_bytes)
    handle, status = _open_regular(name)
    try:
        if status.st_size > max_bytes:
            raise _too_large(name, status.st_size, max_bytes)
        data = _read_upto(handle, max_bytes + 1)
    except OSError as exc:
        raise DocumentError(name, _os_reason(exc)) from None
    finally:
        os.close(handle)
    if len(data) > max_bytes:  # grew while we looked
        raise _too_large(name, "it is", max_bytes)
    return data


def _open_regular(name: str) -> tuple[int, os.stat_result]:
    """A descriptor for reading ``name`` and its status, once ``stat`` showed a regular file (the caller checks).

    Opened non-blocking and checked again with ``fstat``, so that a file swapped for a FIFO in
    between cannot block either.
    """
    try:
        handle = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise DocumentError(name, _os_reason(exc)) from None
    try:
        status = os.fstat(handle)
    except OSError as exc:
        os.close(handle)
        raise DocumentError(name, _os_reason(exc)) from None
    if not stat.S_ISREG(status.st_mode):
        os.close(handle)
        raise DocumentError(name, "is a directory, not a file" if stat.S_ISDIR(status.st_mode) else "not a regular file")
    return handle, status


def _read_upto(handle: int, limit: int) -> bytes:
    """At most ``limit`` bytes from ``handle``, in chunks of at most a megabyte."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(handle, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _sniffed_input(path: Path) -> bool:
    """Whether a regular file without a suffix is an input, from its first ``SNIFF_BYTES``.

    It is when those bytes show a PDF, a Word document or text (HTML included) that decodes;
    an empty file or a binary one (an executable, an image) is not. A prefix may end inside a
    multibyte character, so a few bytes less are tried too. Raises DocumentError when the file
    cannot be read at all: it might be an input, so it is not left out unsaid.
    """
    name = os.fspath(path)
    handle, status = _open_regular(name)
    try:
        head = _read_upto(handle, SNIFF_BYTES)
        whole = len(head) >= status.st_size
    except OSError as exc:
        raise DocumentError(name, _os_reason(exc)) from None
    finally:
        os.close(handle)
    if not head:
        return False
    if sniff_container(head) is not None:
        return True
    for cut in range(1 if whole else 4):
        try:
            decode_bytes(head[: len(head) - cut], name=name)
        except DocumentError:
            continue
        return True
    return False


def _read_stdin(max_bytes: int) -> bytes:
    """Standard input, at most ``max_bytes`` of it (``summarizer summarize -``)."""
    stream: BinaryIO | None = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise DocumentError(STDIN, "no standard input to read")
    try:
        data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(STDIN, _os_reason(exc)) from None
    if len(data) > max_bytes:
        raise _too_large(STDIN, "it is", max_bytes)
    return data


def file_sha256(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """The SHA-256 of a regular file within ``max_bytes`` (what the manifest records); else None.

    Opens nothing that is not a regular file, so hashing a FIFO or a device never blocks.
    """
    name = os.fspath(path)
    if name == STDIN:
        return None
    try:
        return hashlib.sha256(_read_bytes(name, max_bytes)).hexdigest()
    except DocumentError:
        return None


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB ({n:,} bytes)" if n >= 1024 * 1024 else f"{n:,} bytes"


def _build(name: str, text: str, digest: str, encoding: str | None, fmt: Format) -> Document:
    """Extract (HTML), clean and split; the one path both a file and a given string take."""
    page_meta = PageMeta()
    if fmt == "html":
        try:
            text, page_meta = html_to_text(text)
        except DocumentError as error:
            raise DocumentError(name, error.reason) from None
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
    (b"PK\x03\x04", "a ZIP archive"),
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
        nul = _nul_in_utf8(data)
        if nul is not None:
            raise DocumentError(name, f"undecodable: a NUL byte at byte {nul} of otherwise valid UTF-8 text")
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


def _nul_in_utf8(data: bytes) -> int | None:
    """Where the first NUL byte is, when ``data`` is otherwise UTF-8 text rather than UTF-16.

    UTF-16 of Chinese text is next to never valid UTF-8 (its high bytes do not pair up), and
    UTF-16 of ASCII text has a NUL in every other byte; UTF-8 with a stray NUL has neither.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    nuls = data.count(0)
    if not any(byte >= 0x80 for byte in data[:65536]) and nuls * 8 >= len(data):
        return None  # pure 7-bit bytes, a NUL every few: UTF-16 of ASCII text, decided below
    return data.index(0)


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
        return _chinese_multibyte(data, name, best)
    return str(best), codecs.lookup(best.encoding).name


#: How much more plausible one Chinese reading must be than the other to be taken.
_READING_MARGIN = 0.2
#: The least plausibility (share of common characters) a reading needs at all.
_READING_FLOOR = 0.6


def _chinese_multibyte(data: bytes, name: str, best: object) -> tuple[str, str]:
    """GB18030 or Big5, whichever reads as Chinese; neither clearly: "uncertain encoding".

    The same bytes decode both ways more often than not, so a clean decode proves little. What
    tells them apart is the text: read the right way, nearly every Chinese character is a common
    one (GB2312 level 1, the 3,755 most used, once traditional characters are simplified); read
    the wrong way, the characters are rare ones, kana and Greek. When both readings are about as
    plausible (a few characters only), charset-normalizer's guess is kept if it is one of them
    and it is confident; otherwise the document fails rather than be summarised as garbage.
    """
    readings: dict[str, tuple[str, float]] = {}
    for encoding in ("gb18030", "big5", "big5hkscs"):
        if encoding == "big5hkscs" and "big5" in readings:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        plausibility = _chinese_plausibility(text)
        if plausibility is not None:
            readings["big5" if encoding.startswith("big5") else encoding] = (text, plausibility)
    if not readings:
        raise DocumentError(name, "undecodable: uncertain encoding (neither GB18030 nor Big5 reads as Chinese text)")
    ranked = sorted(readings.items(), key=lambda item: item[1][1], reverse=True)
    (first, (text, score)), rest = ranked[0], ranked[1:]
    runner_up = rest[0][1][1] if rest else 0.0
    if score >= _READING_FLOOR and score - runner_up >= _READING_MARGIN:
        return text, first
    guess = codecs.lookup(getattr(best, "encoding", "ascii")).name.replace("-", "_")
    guessed = "gb18030" if guess in ("gb2312", "gbk", "gb18030") else "big5" if guess.startswith(("big5", "cp950")) else None
    confident = getattr(best, "chaos", 1.0) <= 0.05 and getattr(best, "coherence", 0.0) >= 0.1
    if guessed in readings and confident and readings[guessed][1] >= _READING_FLOOR:
        return readings[guessed][0], guessed
    readable = " or ".join(("GB18030" if e == "gb18030" else "Big5") for e, _ in ranked)
    raise DocumentError(name, f"undecodable: uncertain encoding (could be {readable}); save it as UTF-8")


def _chinese_plausibility(text: str) -> float | None:
    """The share of a text's Chinese characters that are common ones; None without any."""
    sample = text[:20000]
    hanzi = [c for c in sample if _is_cjk(c)]
    if not hanzi:
        return None
    simplified = _to_simplified()("".join(hanzi))
    common = 0
    for char in simplified:
        try:
            encoded = char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 0xB0 <= encoded[0] <= 0xD7
    return common / len(simplified)


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

    page_text, depth, cut = _body_text(html)
    if cut:
        # Beyond what lxml (and so trafilatura) reads, the rest of the page would vanish unsaid.
        raise DocumentError(
            "<html>", f"HTML nested too deeply: more than {_HTML_MAX_DEPTH:,} levels of elements, the most that can be read"
        )
    # trafilatura's own parser stops at 255 levels and silently loses what is deeper: a page
    # nested that deep is handed over parsed already, without that limit.
    page: object = html if depth < _HTML_DEFAULT_DEPTH else _parse_html(html)[0]
    # a dict only with the deprecated as_dict=True, which trafilatura's return type does not tell apart
    extracted = cast(
        "ExtractedPage | None",
        trafilatura.bare_extraction(
            page, favor_recall=True, include_comments=False, include_tables=True, with_metadata=True
        ),
    )
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


#: libxml2 stops at 256 levels of nesting by default (trafilatura's parser), at 2,048 with its
#: "huge" option (ours); a page nested deeper than that cannot be read whole.
_HTML_DEFAULT_DEPTH = 250
_HTML_MAX_DEPTH = 2048


class _HtmlElement(Protocol):
    """What this module uses of an ``lxml.html`` element (lxml ships no type information)."""

    tail: str | None

    def iter(self, *tags: str) -> Iterator[_HtmlElement]: ...

    def find(self, path: str) -> _HtmlElement | None: ...

    def drop_tree(self) -> None: ...

    def text_content(self) -> str: ...


def _parse_html(html: str) -> tuple[_HtmlElement | None, bool]:
    """The page's lxml tree (None when unparsable) and whether the parser hit its depth limit."""
    import lxml.etree  # type: ignore[import-untyped]  # lxml ships no type information
    import lxml.html  # type: ignore[import-untyped]

    # trafilatura's parser options, and libxml2's larger limits (nesting up to 2,048 levels).
    parser = lxml.html.HTMLParser(
        encoding="utf-8", collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True,
        huge_tree=True,
    )  # bytes: a str may not carry an XML declaration
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except lxml.etree.ParserError:
        return None, False
    cut = any("Excessive depth" in str(error.message) for error in parser.error_log)
    return root, cut


def _depth(root: object) -> int:
    import lxml.etree

    depth = deepest = 0
    for event, _ in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _body_text(html: str) -> tuple[str, int, bool]:
    """lxml's text of <body>, a line per block element (the fallback and the source of meta lines),
    how deep the page's elements nest, and whether the parser gave up at its depth limit."""
    root, cut = _parse_html(html)
    if root is None:
        return "", 0, False
    depth = _HTML_MAX_DEPTH if cut else _depth(root)
    for element in list(root.iter("script", "style", "noscript", "template", "head")):
        element.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    body = root.find("body")
    return (body if body is not None else root).text_content(), depth, cut


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
