"""ingest.loaders on real policy texts saved the ways users download them."""

from __future__ import annotations

import codecs
import html
import io
import os
import random
import re
import tracemalloc
from pathlib import Path

import docx
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from ingest.loaders import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, load_text, reflow
from ingest.model import IngestError

ROOT = Path(__file__).resolve().parent.parent
BEIJING = ROOT / "tests/data/08_beijing_kjcg_zhuanhua_tiaoli.txt"  # 条例: 第X条, ideographic spaces
ZHANGJIAKOU = ROOT / "corpus/002_d39fd0845f93d78f.txt"  # 行动计划: 一、 (一) 1. with ASCII punctuation
CANGZHOU = ROOT / "corpus/000_feff5ef0713189d6.txt"  # web page text with &nbsp; and runs of spaces
SEEDS = [BEIJING, ZHANGJIAKOU, CANGZHOU]
FONT = "STSong-Light"  # reportlab's built-in CJK font: no font file needed
# Real figures from the indicator table of corpus/001 (沧州 "十四五" 科技创新规划).
TABLE = [
    ["序号", "主要指标", "2020年", "2025年"],
    ["1", "全社会研究与试验发展经费支出占GDP比重(%)", "1.29", "2.1"],
    ["2", "万人口发明专利拥有量(件)", "1.79", "4.0"],
]


def seed_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def seed_lines(path: Path) -> list[str]:
    return [line.strip() for line in seed_text(path).splitlines() if line.strip()]


def assert_one_line_error(excinfo: pytest.ExceptionInfo[IngestError], name: str, fragment: str) -> None:
    message = str(excinfo.value)
    assert message.startswith(f"{name}: "), message
    assert "\n" not in message and "\r" not in message, message
    assert fragment in message, message


def test_public_constants():
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
    assert MAX_FILE_BYTES == 10 * 1024 * 1024


# --- plain text in every encoding -----------------------------------------------------------------


def _encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if encoding == "utf-16-le-bom":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)  # utf-16-le / utf-16-be here have no BOM


ENCODINGS = ["utf-8", "utf-8-bom", "gb18030", "gbk", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-16-be"]
ENCODED_SEEDS = [
    (seed, encoding)
    for seed in SEEDS
    for encoding in ENCODINGS
    if not (encoding == "gbk" and seed == CANGZHOU)  # it holds &nbsp; and U+2002, which GBK lacks
]


@pytest.mark.parametrize(("seed", "encoding"), ENCODED_SEEDS, ids=lambda v: getattr(v, "stem", v)[:12])
def test_same_text_in_every_encoding(tmp_path, seed, encoding):
    text = seed_text(seed)
    for suffix in (".txt", ".md"):
        path = tmp_path / f"政策{suffix}"
        path.write_bytes(_encoded(text, encoding))
        assert load_text(path) == text


@pytest.mark.parametrize("line_end", ["\r\n", "\r"])
def test_line_ends_become_newlines(tmp_path, line_end):
    text = seed_text(BEIJING)
    path = tmp_path / "windows.txt"
    path.write_bytes(text.replace("\n", line_end).encode("gb18030"))
    assert load_text(path) == text


def test_characters_are_kept_as_they_are(tmp_path):
    # Full-width digits and brackets, ideographic spaces, no-break spaces: later stages keep offsets.
    text = "第一章　总　　则\n（一）到２０２５年，　研发投入达到１．２９％\xa0以上。\n"
    path = tmp_path / "widths.txt"
    path.write_bytes(text.encode("gb18030"))
    assert load_text(path) == text


# --- HTML -------------------------------------------------------------------------------------------


def _html_page(lines: list[str], charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    half = len(lines) // 2
    paragraphs = [f"<p>{html.escape(line)}</p>" for line in lines]
    table = "<table border=1>\n" + "".join(
        "<tr>" + "".join(f"<td>\n  {html.escape(cell)}\n</td>" for cell in row) + "</tr>\n" for row in TABLE
    )
    table += "</table>"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f"<html><head>{meta}<title>标题在head里</title>",
            "<style>p { color: #333 } .nav { float: left }</style>",
            '<script>var msg = "脚本里的文字";</script></head><body>',
            "<!-- 注释不显示 -->",
            "<noscript>请启用JavaScript</noscript>",
            '<div style="display: none">隐藏的文字</div>',
            *paragraphs[:half],
            table,
            '<script type="text/javascript">document.write("又一段脚本");</script>',
            *paragraphs[half:],
            "<template><p>模板里的文字</p></template>",
            "</body></html>",
        ]
    )


def _html_expected(lines: list[str]) -> list[str]:
    # HTML shows runs of ASCII whitespace as one space; &nbsp; and ideographic spaces stay.
    shown = [re.sub(r"[ \t\n\r\f]+", " ", line).strip(" ") for line in lines]
    half = len(lines) // 2
    return shown[:half] + [cell for row in TABLE for cell in row] + shown[half:]


@pytest.mark.parametrize(
    ("declared", "encoding"),
    [
        (None, "utf-8"),
        ("utf-8", "utf-8"),
        ("gb2312", "gbk"),  # the usual label on older government sites
        ("gbk", "gb18030"),
        ("utf-8", "gb18030"),  # a wrong label: the bytes win
        (None, "gb18030"),
        (None, "utf-16"),  # with its BOM
    ],
)
@pytest.mark.parametrize("seed", [BEIJING, ZHANGJIAKOU, CANGZHOU], ids=lambda p: p.stem[:12])
def test_html_gives_visible_text_and_table_cells_one_per_line(tmp_path, seed, declared, encoding):
    if encoding == "gbk" and seed == CANGZHOU:
        encoding = "gb18030"
    lines = seed_lines(seed)
    path = tmp_path / "page.html"
    path.write_bytes(_html_page(lines, declared).encode(encoding))
    text = load_text(path)
    assert text.split("\n") == _html_expected(lines)
    for hidden in ("标题在head里", "color", "脚本", "注释", "JavaScript", "隐藏", "模板"):
        assert hidden not in text


def test_html_line_breaks_and_htm_suffix(tmp_path):
    page = (
        "<html><body><div>沧州市人民政府<br>政府信息公开</div>"
        "<ul><li>一、总体思路</li><li>二、<b>主要</b>目标</li></ul>"
        "<h2>三、重点任务</h2><span>（一）</span><span>加快</span>人才建设"
        "<p>&nbsp;&nbsp;附件：</p><pre>序号  指标\n1     研发投入</pre></body></html>"
    )
    path = tmp_path / "page.htm"
    path.write_text(page, encoding="utf-8")
    assert load_text(path).split("\n") == [
        "沧州市人民政府",
        "政府信息公开",
        "一、总体思路",
        "二、主要目标",
        "三、重点任务",
        "（一）加快人才建设",
        "\xa0\xa0附件：",
        "序号  指标",
        "1     研发投入",
    ]


# --- DOCX -------------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_in_document_order(tmp_path):
    lines = seed_lines(ZHANGJIAKOU)
    half = len(lines) // 2
    document = docx.Document()
    for line in lines[:half]:
        document.add_paragraph(line)
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for row, values in zip(table.rows, TABLE, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    for line in lines[half:]:
        document.add_paragraph(line)
    path = tmp_path / "行动计划.docx"
    document.save(path)
    assert load_text(path).split("\n") == lines[:half] + [c for row in TABLE for c in row] + lines[half:]


def test_docx_merged_cells_come_once(tmp_path):
    document = docx.Document()
    document.add_paragraph("“十四五”时期科技创新主要指标")
    table = document.add_table(rows=3, cols=3)
    title = table.cell(0, 0).merge(table.cell(0, 2))  # across the row
    title.text = "主要指标"
    group = table.cell(1, 0).merge(table.cell(2, 0))  # down the column
    group.text = "创新投入"
    for row, values in ((1, ("研发经费占比", "2.1")), (2, ("发明专利", "4.0"))):
        table.cell(row, 1).text, table.cell(row, 2).text = values
    document.add_paragraph("四、保障措施")
    path = tmp_path / "merged.docx"
    document.save(path)
    # python-docx itself repeats them: the merged cells show up in several grid positions.
    assert [c.text for c in docx.Document(path).tables[0].rows[0].cells] == ["主要指标"] * 3
    assert load_text(path).split("\n") == [
        "“十四五”时期科技创新主要指标",
        "主要指标",
        "创新投入",
        "研发经费占比",
        "2.1",
        "发明专利",
        "4.0",
        "四、保障措施",
    ]


# --- PDF --------------------------------------------------------------------------------------------


def _wrap(paragraph: str, width_pt: float, size: int) -> list[str]:
    """Break a paragraph where it reaches the right margin, as a PDF layout does (mid-sentence)."""
    pieces, current = [], ""
    for ch in paragraph:
        if current and pdfmetrics.stringWidth(current + ch, FONT, size) > width_pt:
            pieces.append(current)
            current = ""
        current += ch
    return [*pieces, current]


def _write_text_pdf(path: Path, paragraphs: list[str], lines_per_page: int = 40) -> list[list[str]]:
    """A searchable PDF of the paragraphs, with "- n -" page numbers; returns each paragraph's lines."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    wrapped = [_wrap(p, width_pt=360, size=12) for p in paragraphs]
    lines = [line for pieces in wrapped for line in pieces]
    pdf = canvas.Canvas(str(path))
    for page_number, start in enumerate(range(0, len(lines), lines_per_page), 1):
        pdf.setFont(FONT, 12)
        for i, line in enumerate(lines[start : start + lines_per_page]):
            pdf.drawString(100, 780 - 18 * i, line)
        pdf.drawCentredString(300, 40, f"- {page_number} -")
        pdf.showPage()
    pdf.save()
    return wrapped


def _reflowed(pieces: list[str]) -> list[str]:
    """What the re-flow promises for one wrapped paragraph: rejoined, except after a sentence end."""
    out = [pieces[0]]
    for piece in pieces[1:]:
        if out[-1].endswith(("。", "；", "：", "！", "？", ";", ":", ")", "）", "”")):
            out.append(piece)
        else:
            out[-1] += piece
    return out


@pytest.mark.parametrize("seed", [BEIJING, ZHANGJIAKOU], ids=lambda p: p.stem[:12])
def test_pdf_text_is_extracted_and_reflowed(tmp_path, seed):
    paragraphs = seed_lines(seed)
    path = tmp_path / "条例.pdf"
    wrapped = _write_text_pdf(path, paragraphs)
    assert sum(len(p) > 1 for p in wrapped) > 10  # the fixture really breaks lines mid-sentence
    assert len(PdfReader(path).pages) > 2
    text = load_text(path)
    assert text.split("\n") == [line for pieces in wrapped for line in _reflowed(pieces)]
    assert "- 1 -" not in text and "- 2 -" not in text


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (  # a full line that does not end a sentence continues on the next one
            ["第五条 本市支持高等院校、科研机构与企业共同建设研发平台和科技成果", "转化基地。"],
            ["第五条 本市支持高等院校、科研机构与企业共同建设研发平台和科技成果转化基地。"],
        ),
        (  # a clause number starts a new line even after a full, unfinished line
            ["（一）创新主体不断壮大。三年内新增高新技术企业100家以上，新增科技型", "（二）创新能力明显提升"],
            ["（一）创新主体不断壮大。三年内新增高新技术企业100家以上，新增科技型", "（二）创新能力明显提升"],
        ),
        (  # a short heading is not joined to the paragraph under it
            ["一、总体思路", "深入学习贯彻习近平新时代中国特色社会主义思想和党的十九大精神，以建设"],
            ["一、总体思路", "深入学习贯彻习近平新时代中国特色社会主义思想和党的十九大精神，以建设"],
        ),
        (  # Latin words keep a space where they were broken
            ["海州区人才网智慧综合服务平台 Cosinetech Technology Service", "Limited 提供服务内容介绍"],
            ["海州区人才网智慧综合服务平台 Cosinetech Technology Service Limited 提供服务内容介绍"],
        ),
        (  # 1.5 is a decimal, not a clause number 1.
            ["全社会研发经费投入强度由2015年的0.48%提高到2020年的", "1.5%以上，年均增幅明显提高"],
            ["全社会研发经费投入强度由2015年的0.48%提高到2020年的1.5%以上，年均增幅明显提高"],
        ),
    ],
)
def test_reflow_rules(lines, expected):
    assert reflow(lines) == expected


def _image_only_pdf(path: Path, page_numbers: bool) -> None:
    scan = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(scan).rectangle((50, 50, 550, 120), fill="black")
    pdf = canvas.Canvas(str(path))
    for page in (1, 2):
        pdf.drawImage(ImageReader(scan), 0, 0, width=595, height=842)
        if page_numbers:
            pdf.drawCentredString(300, 20, str(page))
        pdf.showPage()
    pdf.save()


def _encrypted_pdf(path: Path, user_password: str) -> None:
    source = path.with_name("plain-" + path.name)
    _write_text_pdf(source, seed_lines(BEIJING)[:30])
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    writer.write(path)


def test_pdf_with_only_an_owner_password_loads(tmp_path):
    path = tmp_path / "restricted.pdf"
    _encrypted_pdf(path, user_password="")
    assert load_text(path).startswith("# 北京市促进科技成果转化条例\n")


# --- errors -----------------------------------------------------------------------------------------


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _random_bytes(with_nul: bool) -> bytes:
    rng = random.Random(20240501)
    low = 0 if with_nul else 1
    return bytes(rng.randrange(low, 256) for _ in range(8192))


def _corrupt_docx() -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()[:2000]  # a cut-off download


def _old_word_file() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "北京市".encode("utf-16-le") * 100


ERROR_CASES = [
    ("empty.txt", b"", "empty file"),
    ("blank.md", " \r\n\t\n\u3000\u3000\n".encode(), "empty file"),
    ("blank.html", b"<html><body>\n<p> </p><div>&nbsp;</div></body></html>", "no visible text; open it"),
    ("random.txt", _random_bytes(with_nul=True), "binary file, not text"),
    ("picture.txt", _png(), "binary file, not text"),
    ("noise.txt", _random_bytes(with_nul=False), "cannot decode: not UTF-8, GBK/GB18030 or UTF-16; save it"),
    ("bad-bom.txt", codecs.BOM_UTF8 + b"\xff\xfe\xfa" * 50, "does not decode; save it as UTF-8"),
    (
        "app.html",
        b"<html><head><script>render()</script></head><body></body></html>",
        "no visible text (a page built by JavaScript?)",
    ),
    ("sheet.xyz", b"anything", "unsupported file type '.xyz'; use .txt, .md, .html, .docx or .pdf"),
    ("README", b"anything", "unsupported file type (no extension)"),
    ("通知.doc", _old_word_file(), "old Word format is not supported; save it as .docx or .pdf"),
    ("通知.wps", b"anything", "old Word format is not supported"),
    ("通知.rtf", rb"{\rtf1\ansi hello}", "old Word format is not supported"),
    ("renamed.docx", _old_word_file(), "old Word .doc file named .docx"),
    ("cut.docx", _corrupt_docx(), "not a valid .docx ("),
    ("page.pdf", "<html>404 页面不存在</html>".encode(), "not a valid PDF ("),
]


@pytest.mark.parametrize(("name", "content", "fragment"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_bad_files_give_one_line_errors(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as excinfo:
        load_text(path)
    assert_one_line_error(excinfo, name, fragment)


@pytest.mark.parametrize("page_numbers", [False, True], ids=["bare", "with-page-numbers"])
def test_scanned_pdf_asks_for_ocr(tmp_path, page_numbers):
    path = tmp_path / "报告.pdf"
    _image_only_pdf(path, page_numbers)
    with pytest.raises(IngestError) as excinfo:
        load_text(path)
    assert_one_line_error(
        excinfo,
        "报告.pdf",
        "no text layer (a scanned PDF?); run OCR on it first, then add the text or a searchable PDF",
    )


def test_pdf_that_needs_a_password(tmp_path):
    path = tmp_path / "locked.pdf"
    _encrypted_pdf(path, user_password="user-secret")
    with pytest.raises(IngestError) as excinfo:
        load_text(path)
    assert_one_line_error(excinfo, "locked.pdf", "encrypted PDF that needs a password")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(IngestError) as excinfo:
        load_text(tmp_path / "没有.pdf")
    assert_one_line_error(excinfo, "没有.pdf", "file not found")
    folder = tmp_path / "规划.txt"
    folder.mkdir()
    with pytest.raises(IngestError) as excinfo:
        load_text(folder)
    assert_one_line_error(excinfo, "规划.txt", "is a folder, not a file")


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("第一条", encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:
        # root reads any file, CI included: let the OS refusal happen where chmod alone cannot cause it.
        def refuse(self):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(type(path), "read_bytes", refuse)
    with pytest.raises(IngestError) as excinfo:
        load_text(path)
    assert_one_line_error(excinfo, "secret.txt", "permission denied")


def test_size_limit_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "规划.txt"
    path.write_bytes(seed_text(BEIJING).encode("utf-8"))  # about 20 KB
    monkeypatch.setenv("POLICYQA_MAX_FILE_MB", "0.01")
    with pytest.raises(IngestError) as excinfo:
        load_text(path)
    assert_one_line_error(excinfo, "规划.txt", "too large (0.019 MB, limit 0.01 MB)")
    monkeypatch.setenv("POLICYQA_MAX_FILE_MB", "1")
    assert load_text(path) == seed_text(BEIJING)
    monkeypatch.setenv("POLICYQA_MAX_FILE_MB", "lots")
    with pytest.raises(IngestError) as excinfo:
        load_text(path)
    assert_one_line_error(excinfo, "规划.txt", "POLICYQA_MAX_FILE_MB='lots' is not a positive number")


def test_a_20_mb_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYQA_MAX_FILE_MB", raising=False)
    path = tmp_path / "扫描件.pdf"
    with path.open("wb") as out:
        chunk = b"%PDF-1.4 " + bytes(1024 * 1024 - 9)
        for _ in range(20):
            out.write(chunk)
    assert path.stat().st_size == 20 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(IngestError) as excinfo:
            load_text(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_one_line_error(
        excinfo, "扫描件.pdf", "too large (20.0 MB, limit 10 MB); split it or raise POLICYQA_MAX_FILE_MB"
    )
    assert peak < 1024 * 1024  # the 20 MB were never read into memory
