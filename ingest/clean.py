"""Split a page into lines with offsets, and tell web-page noise from the policy text.

Noise is recognised in two ways: lines that are noise wherever they stand (breadcrumbs, print bars,
footers), and by position: the page furniture before the first body line (menus, site names, publish
times, a regulation's passage notes) and the short menu-like lines after the last clause. Only furniture
is dropped: a body line is never dropped for containing an ordinary word (企业名称由行政区划、字号…组成),
and an article is never taken for a footer, whatever its punctuation (第五十条 本条例自…起施行).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.normalize import normalize
from ingest.numbering import parse_numbering


@dataclass(frozen=True)
class Line:
    number: int     # 1-based line number in the original text
    start: int      # offsets of the stripped line in the original text
    end: int
    text: str       # the stripped original line

    @property
    def norm(self) -> str:
        return normalize(self.text)


@dataclass(frozen=True)
class Dropped:
    line: Line
    reason: str


_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def split_lines(text: str) -> list[Line]:
    """Non-blank lines, stripped, with offsets into text (blank lines carry no content; nor do lines of
    zero-width spaces alone, which law collections put under headings)."""
    lines, pos = [], 0
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if stripped.strip(_INVISIBLE).strip():
            start = pos + raw.index(stripped)
            lines.append(Line(number, start, start + len(stripped), stripped))
        pos += len(raw) + 1
    return lines


# Matched against the normalised line (NFKC, no whitespace).
_NOISE_ANYWHERE = [
    (r"^(首页|主页|网站首页)$", "navigation"),
    (r"^(您现在的位置|您当前的位置|当前位置|您的位置)", "breadcrumb"),
    (r"^>>|>>.*>>|^首页>|^首页>>", "breadcrumb"),
    (r"^政府信息公开(详细页面)?$", "navigation"),
    (r"网站上线试运行|欢迎您多提宝贵意见|平台进行调试|敬请大家支持和谅解", "site banner"),
    (r"^(社交媒体分享|分享到|搜索|打印|关闭|返回顶部|收藏|x|×|\|)$", "share/print bar"),
    (r"【打印本页】|【关闭本页】|【关闭窗口】|【打印】|\[打印本页\]|\[关闭窗口\]", "share/print bar"),
    # A font bar offers sizes (字号：大 中 小, 【字号 T T】, 字号:[ ]); 字号 in a sentence is a word (a firm's name).
    (r"字号[:：]|[【\[]字号|字号\s*[\[【(（]?\s*[大中小Tt]|^字体[:：]|保护视力色|杏仁黄|默认色\)", "font/colour bar"),
    (r"^(发布|更新|成文|发文)(时间|日期)[:：]\s*[0-9]{4}", "publish time"),
    (r"^目录$", "table of contents"),
    (r"浏览次数|阅读次数|访问量|点击数[:：]", "page counter"),
    (r"^[•·]?版权(所有)?[:：]|^[•·]?版权所有|Copyright|©", "footer"),
    (r"^[•·]?(地址|联系电话|电话|邮编|邮箱|传真|网址|联系人)[:：]", "footer"),
    (r"网站备案号|ICP备|ICP证|公网安备|网站标识码|ProducedBy|技术支持[:：]", "footer"),
    (r"^(在线咨询|微信咨询|在线留言|联系我们|加入收藏|设为首页|手机版本?|无障碍|繁体|简体|English)$", "widget"),
    (r"手机版本\|设为首页|设为首页\|加入收藏", "widget"),
    (r"^相关(园区)?政策$|^相关链接$|^相关阅读$|^扫码联系方式$|^扫一扫", "widget"),
    (r"^(上一篇|下一篇|上一个|下一个|上一条|下一条)[:：]", "pager"),
    (r"^您好,?欢迎", "site banner"),
]
_NOISE_RE = [(re.compile(p, re.IGNORECASE), reason) for p, reason in _NOISE_ANYWHERE]

# A Markdown comment or front-matter marker from law-collection files.
_MARKUP = re.compile(r"^<!--.*-->$")


def noise_reason(line: Line) -> str | None:
    """Why a line is page noise wherever it stands, or None."""
    norm = line.norm
    if _MARKUP.match(line.text):
        return "markup"
    for pattern, reason in _NOISE_RE:
        if pattern.search(norm):
            return reason
    return None


_SENTENCE_END = re.compile(r"[。；;！？!?]")


def looks_like_menu(line: Line) -> bool:
    """Short, sentence-less lines: menu items, site names, widget captions."""
    norm = line.norm
    return len(norm) <= 24 and not _SENTENCE_END.search(norm)


def is_menu_like(line: Line) -> bool:
    """looks_like_menu, but never a numbered line of the text (第X条, 一、, （一）); "1." stays possible: a
    page's related links are listed so."""
    if not looks_like_menu(line):
        return False
    numbering = parse_numbering(line.text)
    return numbering is None or numbering.kind in ("num", "circled")


# A regulation's passage note: "2016年5月27日 浙江省第十二届人民代表大会常务委员会第二十九次会议修订", also
# wrapped over two lines ("…的决定》第一次修正") and the approval of a city's regulation (…批准).
_PASSAGE_END = re.compile(r"(?:通过|修正|修订|批准|公布|发布|施行)(?:的?《.*?》)?[\s,，.。;；、)）]*$")
_SESSION = re.compile(r"^[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日.{0,40}(?:会议|人民代表大会|常务委员会|人大常委会|人民政府)")


def _one_statement(line: Line) -> bool:
    """A line that could be part of a page's or a regulation's header: no paragraph, no numbering."""
    norm = line.norm
    return len(norm) <= 300 and "。" not in norm.rstrip("。") and parse_numbering(line.text) is None


def is_passage_note(line: Line) -> bool:
    norm = line.norm
    return _one_statement(line) and bool(_SESSION.match(norm) or (len(norm) >= 10 and _PASSAGE_END.search(norm)))


def leading_furniture(body: list[Line], title_found: bool) -> int:
    """How many lines at the start of the body are page furniture, not text: a regulation's passage notes
    (with the lines of a note wrapped over several), and, on a page whose title was not found, its title
    line, menus, site names and publish times ("中国政府网 无障碍版 登录", "发布时间: 2023-05-20 10:32:38").
    Nothing when all the lines would go."""
    n = 0
    for i, line in enumerate(body):
        if not _one_statement(line):
            break
        if is_passage_note(line) or (not title_found and (is_menu_like(line) or line.text.startswith("# "))):
            n = i + 1
        elif i > n:                 # two lines that are neither: the text has begun
            break
    return 0 if n == len(body) else n


def trailing_furniture(body: list[Line]) -> int:
    """How many menu-like lines after the last sentence of the page are its footer (related links,
    widgets); an article or item ends the footer whatever its punctuation. Nothing when all would go."""
    end = len(body)
    while end > 0 and is_menu_like(body[end - 1]):
        end -= 1
    return 0 if end == 0 else len(body) - end
