"""A paper for the committee, described once and printed two ways: DOCX (what government
offices exchange, with python-docx) and PDF (with fpdf2).

``exports.documents`` says what a paper holds as a list of blocks (headings, paragraphs,
facts, tables, charts); the two printers here say how each block looks. Every page of both
carries the handling marking at the top and the bottom, the page number and the date.
"""

import io
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from itertools import zip_longest
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace, ViewerPreferences

COMMITTEE = "Atrocities Prevention Committee"
INK = "#1f2a44"  # headings and rules
MUTED = "#5f6368"  # running heads, notes
HEADER_FILL = "#e8eaef"  # table headings
LABEL_WIDTH = 0.27  # share of the width a fact's label takes

# --- the blocks a paper is made of ------------------------------------------------------------


@dataclass
class Heading:
    text: str
    level: int = 1  # 1 section, 2 subsection, 3 minor


Run = tuple[str, str]  # a stretch of text and its style: "", "B" bold, "I" italic, "BI"
Text = str | list[Run]  # plain, or in runs


def runs(text: Text) -> list[Run]:
    return [(text, "")] if isinstance(text, str) else text


@dataclass
class Paragraph:
    text: Text
    note: bool = False  # small grey print: sources, explanations


@dataclass
class Bullets:
    items: list[Text]
    numbered: bool = False


@dataclass
class Facts:
    """Label and value pairs, printed as a two-column table without lines."""

    rows: list[tuple[str, str]]


@dataclass
class Table:
    """A table with a heading row; ``widths`` are shares of the text width; ``fills`` colours
    single cells, keyed by (row, column) of ``rows``."""

    columns: list[str]
    rows: list[list[str]]
    widths: list[float]
    fills: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Chart:
    png: bytes
    caption: str
    width: float = 0.8  # share of the text width


@dataclass
class PageBreak:
    pass


Block = Heading | Paragraph | Bullets | Facts | Table | Chart | PageBreak


@dataclass
class Paper:
    """One document: ``kind`` (e.g. "Read-ahead") heads the first page above ``title``."""

    kind: str
    title: str
    subtitle: str
    marking: str
    prepared: str  # the date the paper was made, as printed
    blocks: list[Block]


# Characters XML (and so DOCX) cannot hold; people's text can contain them.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    return _UNPRINTABLE.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def starts_rtl(text: str) -> bool:
    """Is the first letter of ``text`` from a right-to-left script (Arabic, Hebrew)? Then the
    paragraph reads right to left and is set flush right."""
    for character in text:
        direction = unicodedata.bidirectional(character)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def tint(color: str, share: float = 0.55) -> str:
    """``color`` mixed with white: a fill light enough to print text on."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * share):02x}" for c in rgb)


def _running_head(paper: Paper) -> str:
    """One line atop every page: a title's line breaks become spaces."""
    return " ".join(clean(f"{COMMITTEE} · {paper.kind} · {paper.title}").split())


# --- DOCX -------------------------------------------------------------------------------------


def to_docx(paper: Paper) -> bytes:
    document = Document()
    _docx_styles(document)
    section = document.sections[0]
    section.top_margin = section.bottom_margin = Cm(2.2)
    section.left_margin = section.right_margin = Cm(2.2)
    section.header_distance = section.footer_distance = Cm(0.9)
    _docx_header_footer(section, paper)
    properties = document.core_properties
    properties.title = clean(f"{paper.kind}: {paper.title}")
    properties.subject = COMMITTEE
    properties.author = "APC Desk"
    properties.keywords = clean(paper.marking)

    body = _DocxBody(document)
    body.add(_w_p(COMMITTEE.upper(), run=_w_run_properties(9, MUTED, bold=True)))
    body.add(_w_p(paper.kind, run=_w_run_properties(22, INK, bold=True)))
    body.add(_w_p(paper.title, run=_w_run_properties(14, INK)))
    if paper.subtitle:
        body.add(_w_p(paper.subtitle, run=_w_run_properties(10, MUTED)))
    width = section.page_width - section.left_margin - section.right_margin
    for block in paper.blocks:
        _docx_block(body, block, width)
    body.flush()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_styles(document) -> None:
    normal = document.styles["Normal"]
    _docx_fonts(normal, 10.5)
    normal.paragraph_format.space_after = Pt(4)
    for level, size in ((1, 14), (2, 11.5), (3, 10.5)):
        style = document.styles[f"Heading {level}"]
        _docx_fonts(style, size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor.from_string(INK[1:])
        style.paragraph_format.space_before = Pt(14 if level == 1 else 9)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    for name, size, bold, italic, color in PAPER_STYLES.values():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        _docx_fonts(style, size)
        style.font.italic = italic
        if bold:
            style.font.bold = True
            style.element.rPr.get_or_add_bCs()
        if italic:
            style.element.rPr.get_or_add_iCs()
        if color:
            style.font.color.rgb = RGBColor.from_string(color[1:])


def _docx_fonts(style, size: float) -> None:
    """Calibri for Latin, Greek and Cyrillic; Arial, which has Arabic and Hebrew in Word on
    Windows and Mac, for right-to-left text; East Asian text keeps the theme's font, which
    Word chooses by language. Word sizes right-to-left text by its own property (szCs)."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the fonts named here
    for script, name in (("w:ascii", "Calibri"), ("w:hAnsi", "Calibri"), ("w:cs", "Arial")):
        fonts.set(qn(script), name)
    style.font.size = Pt(size)
    _docx_complex_size(style.element.rPr, size)


def _docx_complex_size(properties, size: float) -> None:
    """The size of right-to-left text (``w:szCs``), the same as the others' (``w:sz``)."""
    for old in properties.findall(qn("w:szCs")):
        properties.remove(old)
    complex_size = OxmlElement("w:szCs")
    complex_size.set(qn("w:val"), str(round(size * 2)))  # in half points
    properties.sz.addnext(complex_size)


def _docx_header_footer(section, paper: Paper) -> None:
    head = section.header.paragraphs[0]
    _docx_text(head, paper.marking, size=9, bold=True)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    running = section.header.add_paragraph()
    _docx_text(running, f"{_running_head(paper)} · {paper.prepared}", size=7.5, color=MUTED)
    running.alignment = WD_ALIGN_PARAGRAPH.CENTER

    pages = section.footer.paragraphs[0]
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_text(pages, "Page ", size=8, color=MUTED)
    _docx_field(pages, "PAGE", size=8, color=MUTED)
    _docx_text(pages, " of ", size=8, color=MUTED)
    _docx_field(pages, "NUMPAGES", size=8, color=MUTED)
    foot = section.footer.add_paragraph()
    _docx_text(foot, paper.marking, size=9, bold=True)
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _docx_field(paragraph, code: str, **style) -> None:
    """A Word field (page number, page count) that Word fills in when it lays out pages."""
    run = _docx_text(paragraph, "1", **style)  # shown until Word fills it in
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), code)
    run._r.addprevious(simple)
    simple.append(run._r)


def _docx_text(paragraph, text: str, *, size=None, color=None, bold=False, italic=False):
    run = paragraph.add_run(clean(text))
    run.bold = bold
    run.italic = italic
    # Word emboldens, slants and sizes right-to-left text by properties of its own.
    properties = run._r.get_or_add_rPr()
    if bold:
        properties.get_or_add_bCs()
    if italic:
        properties.get_or_add_iCs()
    if size:
        run.font.size = Pt(size)
        _docx_complex_size(properties, size)
    if color:
        run.font.color.rgb = RGBColor.from_string(color[1:])
    return run


# The body is written as WordprocessingML and parsed a stretch at a time (between pictures,
# which python-docx must place): python-docx builds each run and table cell through chains of
# look-ups, and a read-ahead has thousands of cells (measured on the largest benchmark record:
# 3.2 s through python-docx, a tenth of that as text).
W_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# The paper's paragraph styles: (name, size, bold, italic, colour); Word gives each the id of
# its name without spaces.
PAPER_STYLES = {
    "cell": ("APC Cell", 9, False, False, None),
    "cell_heading": ("APC Cell Heading", 9, True, False, None),
    "label": ("APC Label", 9.5, True, False, MUTED),
    "note": ("APC Note", 8.5, False, True, MUTED),
}
STYLE_IDS = {key: name.replace(" ", "") for key, (name, *_) in PAPER_STYLES.items()}
RUN_EMPHASIS = {
    "": "",
    "B": "<w:b/><w:bCs/>",
    "I": "<w:i/><w:iCs/>",
    "BI": "<w:b/><w:bCs/><w:i/><w:iCs/>",
}
TWIPS = 635  # EMU in a twentieth of a point, the unit of table widths
NUMBER_INDENT = '<w:ind w:left="454" w:hanging="340"/>'  # 0.8 cm, the number 0.6 cm out
NO_SPACE_AFTER = '<w:spacing w:after="0"/>'


class _DocxBody:
    """The paper's body as WordprocessingML text, put into the document a stretch at a time."""

    def __init__(self, document):
        self.document = document
        self.parts: list[str] = []

    def add(self, xml: str) -> None:
        self.parts.append(xml)

    def flush(self) -> None:
        """Parse what was written and put it before the section's properties (always last)."""
        if not self.parts:
            return
        chunk = parse_xml(f'<w:body xmlns:w="{W_NAMESPACE}">{"".join(self.parts)}</w:body>')
        end = self.document.element.body.sectPr
        for element in list(chunk):
            end.addprevious(element)
        self.parts = []

    def picture(self, png: bytes, width: int, description: str) -> None:
        """A chart, with ``description`` as its text alternative (what a screen reader says)."""
        self.flush()
        self.document.add_picture(io.BytesIO(png), width=width)
        self.document.element.body.xpath(".//wp:docPr")[-1].set("descr", clean(description))


def _w_text(text: str) -> str:
    """Text of a run: line breaks and tabs as Word's own elements, the rest escaped."""
    opened = '<w:t xml:space="preserve">'
    lines = [
        escape(line).replace("\t", f"</w:t><w:tab/>{opened}") for line in clean(text).split("\n")
    ]
    return opened + f"</w:t><w:br/>{opened}".join(lines) + "</w:t>"


def _w_run_properties(size: float, color: str, *, bold: bool = False) -> str:
    """Direct formatting, for the paper's title lines only (the rest goes by styles)."""
    emphasis = RUN_EMPHASIS["B"] if bold else ""
    half_points = round(size * 2)
    return (
        f'{emphasis}<w:color w:val="{color[1:].upper()}"/>'
        f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    )


def _w_p(text: Text = "", *, style: str | None = None, layout: str = "", run: str = "") -> str:
    """A paragraph: its style, right to left if it starts in Arabic or Hebrew, ``layout``
    (spacing, indent), and its runs with their bold and italic (and ``run``'s formatting)."""
    stretches = runs(text)
    properties = f'<w:pStyle w:val="{style}"/>' if style else ""
    if starts_rtl("".join(stretch for stretch, _ in stretches)):
        properties += "<w:bidi/>"
    properties += layout
    content = ""
    for stretch, emphasis in stretches:
        if stretch:
            formatting = RUN_EMPHASIS[emphasis] + run
            formatting = f"<w:rPr>{formatting}</w:rPr>" if formatting else ""
            content += f"<w:r>{formatting}{_w_text(stretch)}</w:r>"
    return f"<w:p>{f'<w:pPr>{properties}</w:pPr>' if properties else ''}{content}</w:p>"


def _w_table(
    rows: list[list[str]],
    shares: list[float],
    width: int,
    *,
    styles: list[str | None],
    heading: list[str] | None = None,
    fills: dict[tuple[int, int], str] | None = None,
) -> str:
    """A table at fixed column widths (shares of ``width``). With a ``heading`` row it has
    Word's grid lines, is centred, and repeats its heading on each page it runs onto; without
    one it has no lines (label and value pairs)."""
    total = sum(shares)
    widths = [int(width * share / total) // TWIPS for share in shares]
    fills = fills or {}

    def cell(text: str, twips: int, style: str | None, fill: str | None) -> str:
        shading = ""
        if fill:
            shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill[1:].upper()}"/>'
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{twips}" w:type="dxa"/>{shading}</w:tcPr>'
            f"{_w_p(text, style=style)}</w:tc>"
        )

    lines = ""
    if heading is not None:
        heading_style = STYLE_IDS["cell_heading"]
        cells = "".join(
            cell(title, twips, heading_style, HEADER_FILL)
            for title, twips in zip(heading, widths, strict=True)
        )
        lines += f'<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>{cells}</w:tr>'
    for r, row in enumerate(rows):
        cells = "".join(
            cell(value, twips, style, fills.get((r, c)))
            for c, (value, twips, style) in enumerate(zip(row, widths, styles, strict=True))
        )
        lines += f"<w:tr>{cells}</w:tr>"
    grid = "".join(f'<w:gridCol w:w="{twips}"/>' for twips in widths)
    lined = '<w:tblStyle w:val="TableGrid"/>' if heading is not None else ""
    centred = '<w:jc w:val="center"/>' if heading is not None else ""
    properties = (
        f'{lined}<w:tblW w:w="0" w:type="auto"/>{centred}<w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
    )
    # Word needs a paragraph between two tables, or it joins them: a small one after each.
    spacer = _w_p(layout=NO_SPACE_AFTER)
    table = f"<w:tblPr>{properties}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{lines}"
    return f"<w:tbl>{table}</w:tbl>{spacer}"


def _docx_block(body: _DocxBody, block: Block, width: int) -> None:
    match block:
        case Heading(text, level):
            body.add(_w_p(text, style=f"Heading{min(level, 3)}"))
        case Paragraph(note=True):
            body.add(_w_p(block.text, style=STYLE_IDS["note"]))
        case Paragraph():
            body.add(_w_p(block.text))
        case Bullets(items, numbered=True):
            for number, item in enumerate(items, start=1):
                body.add(_w_p([(f"{number}.\t", ""), *runs(item)], layout=NUMBER_INDENT))
        case Bullets(items):
            for item in items:
                body.add(_w_p(item, style="ListBullet"))
        case Facts(rows):
            body.add(
                _w_table(
                    [[label, value] for label, value in rows],
                    [LABEL_WIDTH, 1 - LABEL_WIDTH],
                    width,
                    styles=[STYLE_IDS["label"], None],
                )
            )
        case Table(columns, rows, widths, fills):
            cell = STYLE_IDS["cell"]
            body.add(
                _w_table(
                    rows, widths, width, styles=[cell] * len(columns), heading=columns, fills=fills
                )
            )
        case Chart(png, caption, share):
            body.picture(png, int(width * share), caption)
            body.add(_w_p(caption, style=STYLE_IDS["note"]))
        case PageBreak():
            body.add('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')


# --- PDF --------------------------------------------------------------------------------------

# The papers are set in DejaVu Sans, which ships with matplotlib (a requirement already): Latin,
# Greek and Cyrillic. What it lacks or sets poorly comes from the Noto fonts in fonts/, committed
# with their SIL Open Font License and a SHA-256 manifest (fonts/README.md): emoji, Arabic,
# Hebrew, the scripts of South and South-East Asia, Ethiopic; Chinese, Japanese and Korean from
# Noto Sans CJK (the JP edition, which covers all three).
MAIN = "DejaVu"
MAIN_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
MAIN_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}
# Blocks DejaVu has glyphs for but that Noto sets properly: Hebrew and Arabic (with their
# presentation forms) and Lao; and the variation selectors, which belong with the emoji.
NOT_MAIN = [(0x0590, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0x0E80, 0x0EFF)]
NOT_MAIN += [(0xFB1D, 0xFDFF), (0xFE00, 0xFE0F), (0xFE70, 0xFEFF)]
NOTO_DIR = Path(__file__).parent / "fonts"
NOTO_SCRIPTS = "Arabic Hebrew Devanagari Bengali Gurmukhi Gujarati Oriya Tamil Telugu Kannada"
NOTO_SCRIPTS += " Malayalam Sinhala Thai Lao Myanmar Khmer Ethiopic Armenian Georgian Symbols"
# In the order tried: emoji first, so that an emoji and its variation selector stay together.
FALLBACKS: dict[str, dict[str, Path]] = {
    "NotoEmoji": {"": NOTO_DIR / "NotoEmoji[wght].ttf"},
    **{f"Noto{s}": {"": NOTO_DIR / f"NotoSans{s}[wght].ttf"} for s in NOTO_SCRIPTS.split()},
    # Last: reading its 45,000 characters takes a moment, spent only when nothing else has them.
    "NotoCJK": {
        "": NOTO_DIR / "NotoSansCJKjp-Regular.otf",
        "B": NOTO_DIR / "NotoSansCJKjp-Bold.otf",
    },
}


@cache
def _coverage(file: Path, leave_out: tuple[tuple[int, int], ...] = ()) -> frozenset[int]:
    """The characters a font file has glyphs for, less the ranges in ``leave_out``."""
    codepoints = TTFont(file, lazy=True).getBestCmap()
    return frozenset(
        c for c in codepoints if not any(start <= c <= end for start, end in leave_out)
    )


@cache
def _main_coverage() -> frozenset[int]:
    """What the main font sets in all its styles, with the control characters (line breaks),
    which print nothing."""
    styles = [_coverage(MAIN_DIR / file, tuple(NOT_MAIN)) for file in MAIN_FILES.values()]
    return frozenset.intersection(*styles) | set(range(32))


def _fallbacks_for(text: str) -> list[str]:
    """The fallback fonts that have the characters of ``text`` the main font leaves out."""
    wanted = set(map(ord, text)) - _main_coverage()
    chosen = []
    for family, files in FALLBACKS.items():
        if not wanted:
            break
        covered = _coverage(files[""])
        if wanted & covered:
            chosen.append(family)
            wanted -= covered
    return chosen


LINE = 4.6  # mm per line of body text


class _PDF(FPDF):
    def __init__(self, paper: Paper):
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self.paper = paper
        for style, file in MAIN_FILES.items():
            own = _coverage(MAIN_DIR / file, tuple(NOT_MAIN))
            self.add_font(MAIN, style, MAIN_DIR / file, unicode_range=sorted(own))
        self.set_margins(22, 24, 22)
        self.set_auto_page_break(True, margin=22)
        self.set_title(clean(f"{paper.kind}: {paper.title}"))
        self.set_subject(COMMITTEE)
        self.set_author("APC Desk")
        self.set_keywords(clean(paper.marking))
        # What fpdf2 offers for accessibility (issue 25): the language, the title shown in the
        # reader's window, an outline of the headings, and charts tagged as figures with their
        # text alternative. It does not tag text, headings or tables (README: Accessibility).
        self.set_lang("en-US")
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)

    # Fallback fonts and shaping make fpdf2 go through text character by character, several times
    # slower, and a CJK font takes a second to load: each is taken on for the text that needs it.
    def _fit_to(self, text: str) -> None:
        fallbacks = [] if _main_coverage().issuperset(map(ord, text)) else _fallbacks_for(text)
        for family in fallbacks:
            for style, file in FALLBACKS[family].items():
                if f"{family.lower()}{style}" not in self.fonts and style in ("", self.font_style):
                    self.add_font(family, style, file)
        # A fallback's regular face stands in for the bold and italic it does not have.
        self.set_fallback_fonts(fallbacks, exact_match=False)
        # HarfBuzz joins Arabic letters, orders right-to-left text and composes emoji.
        self.set_text_shaping(bool(fallbacks))

    def cell(self, w=None, h=None, text="", *args, **kwargs):
        self._fit_to(text)
        return super().cell(w, h, text, *args, **kwargs)

    def multi_cell(self, w, h=None, text="", *args, **kwargs):
        self._fit_to(text)
        return super().multi_cell(w, h, text, *args, **kwargs)

    def write(self, h=None, text="", *args, **kwargs):
        self._fit_to(text)
        return super().write(h, text, *args, **kwargs)

    def header(self) -> None:
        self.set_y(8)
        self.set_font(MAIN, "B", 8.5)
        self.set_text_color(0)
        self.cell(0, 4, clean(self.paper.marking), align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(MAIN, "", 6.5)
        self.set_text_color(MUTED)
        running = f"{_running_head(self.paper)} · {self.paper.prepared}"
        self.cell(0, 4, clean(running), align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(INK)
        self.set_line_width(0.2)
        self.line(self.l_margin, 17, self.w - self.r_margin, 17)
        self.set_y(self.t_margin)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(MAIN, "", 7.5)
        self.set_text_color(MUTED)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="C", new_x="LMARGIN")
        self.set_y(-10)
        self.set_font(MAIN, "B", 8.5)
        self.set_text_color(0)
        self.cell(0, 4, clean(self.paper.marking), align="C")

    def write_runs(self, text: Text) -> None:
        """Text in its runs of bold and italic, wrapping at the margins; ends the line."""
        plain = "".join(stretch for stretch, _ in runs(text))
        if starts_rtl(plain):
            # write() cannot set text flush right: a right-to-left paragraph goes without styles.
            self.text_block(plain)
            return
        for stretch, style in runs(text):
            self.set_font(MAIN, style, 10)
            self.write(LINE, clean(stretch))
        self.ln(LINE)

    def text_block(self, text: str, *, size=10, style="", color=0, height=LINE) -> None:
        self.set_font(MAIN, style, size)
        self.set_text_color(color)
        text = clean(text)
        self.multi_cell(0, height, text, align=_align(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)


def _align(text: str) -> str:
    return "R" if starts_rtl(text) else "L"


def to_pdf(paper: Paper) -> bytes:
    pdf = _PDF(paper)
    pdf.add_page()
    pdf.text_block(COMMITTEE.upper(), size=8, style="B", color=MUTED)
    pdf.ln(1)
    pdf.text_block(paper.kind, size=20, style="B", color=INK, height=9)
    pdf.text_block(paper.title, size=13, color=INK, height=6.5)
    if paper.subtitle:
        pdf.text_block(paper.subtitle, size=9.5, color=MUTED)
    pdf.ln(2)
    pdf.set_draw_color(INK)
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)
    for block, following in zip_longest(paper.blocks, paper.blocks[1:]):
        _pdf_block(pdf, block, following)
    return bytes(pdf.output())


def _opening_height(pdf: _PDF, block: Block | None) -> float:
    """How much of ``block`` must share a page with the heading above it: a chart whole (an
    image cannot run over a page), else its first lines or table rows."""
    if isinstance(block, Chart):
        width, height = struct.unpack(">II", block.png[16:24])  # the PNG's IHDR
        return pdf.epw * block.width * height / width
    return 6 * LINE


def _pdf_block(pdf: _PDF, block: Block, following: Block | None = None) -> None:
    match block:
        case Heading(text, level):
            size = {1: 13, 2: 11}.get(level, 10)
            # Keep a heading with what follows it: no heading alone at the foot of a page.
            if pdf.will_page_break(size * 0.5 + _opening_height(pdf, following)):
                pdf.add_page()
            if pdf.get_y() > pdf.t_margin:  # no space above a heading that opens a page
                pdf.ln({1: 5, 2: 3}.get(level, 2))
            pdf.start_section(clean(text), level=level - 1, strict=False)  # the outline
            pdf.text_block(text, size=size, style="B", color=INK, height=size * 0.5)
            if level == 1:
                pdf.set_draw_color(tint(INK, 0.7))
                pdf.set_line_width(0.2)
                pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.w - pdf.r_margin, pdf.get_y() + 0.5)
            pdf.ln(2)
        case Paragraph(note=True):
            pdf.text_block(block.text, size=8, style="I", color=MUTED, height=3.8)
            pdf.ln(1.5)
        case Paragraph():
            pdf.write_runs(block.text)
            pdf.ln(1.5)
        case Bullets(items, numbered):
            margin = pdf.l_margin
            for number, item in enumerate(items, start=1):
                pdf.set_font(MAIN, "", 10)
                # Numbers flush right, so that "9." and "10." end in the same place.
                pdf.set_x(margin)
                pdf.cell(7, LINE, f"{number}." if numbered else "•", align="R" if numbered else "C")
                pdf.set_left_margin(margin + 9)  # wrapped lines align with the text
                pdf.write_runs(item)
                pdf.set_left_margin(margin)
                pdf.ln(0.8)
            pdf.ln(1)
        case Facts(rows):
            _pdf_facts(pdf, rows)
            pdf.ln(2)
        case Table(columns, rows, widths, fills) if not _rows_fit(pdf, block):
            # A row taller than a page cannot be a table row in a PDF: print each row as facts.
            for row in rows:
                _pdf_facts(pdf, list(zip(columns, row, strict=True)))
                pdf.ln(2)
        case Table(columns, rows, widths, fills):
            pdf.set_font(MAIN, "", 8.5)
            pdf.set_draw_color("#b0b4bd")
            pdf.set_line_width(0.15)
            with pdf.table(
                col_widths=tuple(widths),
                headings_style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL, color=INK),
                borders_layout="SINGLE_TOP_LINE",
                text_align="LEFT",
                v_align="TOP",
                line_height=4,
                padding=1.2,
                repeat_headings=1,
            ) as table:
                heading = table.row()
                for title in columns:
                    heading.cell(clean(title))
                for r, values in enumerate(rows):
                    row = table.row()
                    for c, value in enumerate(values):
                        fill = fills.get((r, c))
                        style = FontFace(fill_color=fill) if fill else None
                        row.cell(clean(value), align=_align(value), style=style)
            pdf.ln(4)
        case Chart(png, caption, share):
            width = pdf.epw * share
            pdf.image(
                io.BytesIO(png),
                w=width,
                x=pdf.l_margin + (pdf.epw - width) / 2,
                alt_text=clean(caption),
            )
            pdf.text_block(caption, size=8, style="I", color=MUTED, height=3.8)
            pdf.ln(2)
        case PageBreak():
            pdf.add_page()


def _pdf_facts(pdf: _PDF, rows: list[tuple[str, str]]) -> None:
    """Label beside value; a long value runs on over the page break (a table row cannot)."""
    label_width = pdf.epw * LABEL_WIDTH
    for label, value in rows:
        if pdf.will_page_break(LINE * 2):
            pdf.add_page()
        top, page = pdf.get_y(), pdf.page
        pdf.set_font(MAIN, "B", 8.5)
        pdf.set_text_color(MUTED)
        label = clean(label)
        lines = pdf.multi_cell(label_width - 2, LINE, label, dry_run=True, output="LINES")
        pdf.multi_cell(
            label_width - 2, LINE, label, align=_align(label), new_x="RIGHT", new_y="TOP"
        )
        label_bottom = top + LINE * len(lines)
        pdf.set_xy(pdf.l_margin + label_width, top)
        pdf.set_font(MAIN, "", 9.5)
        pdf.set_text_color(0)
        value = clean(value)
        pdf.multi_cell(0, LINE, value, align=_align(value), new_x="LMARGIN", new_y="NEXT")
        if pdf.page == page:
            pdf.set_y(max(pdf.get_y(), label_bottom))
        pdf.ln(1)


def _rows_fit(pdf: _PDF, table: Table) -> bool:
    """Does every row of ``table`` fit on one page?"""
    pdf.set_font(MAIN, "", 8.5)
    total = sum(table.widths)
    widths = [pdf.epw * share / total - 2.4 for share in table.widths]
    limit = (pdf.eph - 10) / 4  # lines of 4 mm that fit below the running head
    for row in table.rows:
        for width, value in zip(widths, row, strict=True):
            value = clean(value)
            # Most cells are plainly short: a line per width of text, and a half line more
            # per line break, is far more than they need. Only the others are laid out (and
            # text in other scripts, which the main font cannot measure).
            rough = pdf.get_string_width(value) / width + 1.5 * (value.count("\n") + 1)
            if rough > limit / 2 or not _main_coverage().issuperset(map(ord, value)):
                lines = pdf.multi_cell(width, 4, value, dry_run=True, output="LINES")
                if len(lines) > limit:
                    return False
    return True
