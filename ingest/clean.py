"""Split a page into lines with offsets, and tell web-page noise from the policy text.

Noise is recognised in two ways: lines that are noise wherever they stand (breadcrumbs, print bars,
footers), and the short menu-like lines before the title and after the last clause of a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.normalize import normalize


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


def split_lines(text: str) -> list[Line]:
    """Non-blank lines, stripped, with offsets into text (blank lines carry no content)."""
    lines, pos = [], 0
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if stripped:
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
    (r"字号[:：]?\[?|^字体[:：]|保护视力色|杏仁黄|默认色\)", "font/colour bar"),
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
