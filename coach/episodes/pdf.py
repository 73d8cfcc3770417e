"""The doctor report as a one-page A4 PDF, drawn with fpdf2 (pure Python) in Liberation Sans, which ships with
the package (fonts/, GPL with the font exception: a document that embeds it is not covered). It has Helvetica's
metrics, so the one-page layout holds, and Latin, Greek and Cyrillic letters, so names and notes print as typed."""
from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ..formats import day, moment
from .report_text import INTRO, Chart, charts, plural, sections
from .reports import ReportContext

MARGIN = 12
# Onset to severity on the left; symptoms, relief, flags and profile on the right.
RIGHT_COLUMN_FROM = 5
# On white paper: grey text 5:1, bars and axes at least 3:1 (the light scheme's teal and muted grey).
GREY = (110, 110, 110)
AXIS = (107, 118, 129)
BAR = (23, 89, 110)
BAR_FILL = BAR
MUTED_FILL = (77, 88, 99)
FONTS = Path(__file__).with_name("fonts")
FONT_FILES = {"": "LiberationSans-Regular.ttf", "B": "LiberationSans-Bold.ttf", "I": "LiberationSans-Italic.ttf"}
SANS = "Sans"
# Stand-ins for characters the font lacks.
REPLACE = str.maketrans({"\u2192": "->", "\u2264": "<=", "\u2265": ">="})


@cache
def _drawable_codepoints() -> frozenset[int]:
    return frozenset(TTFont(FONTS / FONT_FILES[""]).getBestCmap())


def printable(text) -> str:
    """Text the font can draw: as typed where it has the letters, else the letter without its accent, else '?'
    (e.g. Chinese, which no font that keeps the report small covers)."""
    drawable = _drawable_codepoints()
    out = []
    for ch in unicodedata.normalize("NFC", str(text)).translate(REPLACE):
        if ord(ch) in drawable or ch in "\n\t":
            out.append(ch)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) in drawable and not unicodedata.combining(c))
            out.append(base or "?")
    return "".join(out)


class ReportPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 4)
        for style, name in FONT_FILES.items():
            self.add_font(SANS, style, str(FONTS / name))
        self.set_title("Back spasm report")
        self.set_author("Relief Coach")
        self.set_creator("Relief Coach")

    def footer(self):
        self.set_y(-MARGIN - 2)
        self.set_font(SANS, "", 6.5)
        self.set_text_color(*GREY)
        self.cell(0, 4, printable(self.footer_text), align="L")
        self.cell(0, 4, f"Page {self.page_no()}/{{nb}}", align="R")


def _chart(pdf: FPDF, chart: Chart, x0: float, y0: float, width: float, height: float = 18) -> None:
    """One measure on its own axes: bars of episode counts, the y scale from 0 to the tallest bar."""
    pdf.set_font(SANS, "B", 7.5)
    pdf.set_text_color(*BAR)
    pdf.text(x0, y0 + 2.5, printable(chart.title))
    top, left = y0 + 4.5, x0 + 5
    plot = width - 5
    pdf.set_font(SANS, "", 6)
    pdf.set_text_color(*GREY)
    pdf.set_draw_color(*AXIS)
    pdf.set_line_width(0.2)
    pdf.line(left, top + height, left + plot, top + height)
    pdf.line(left, top, left, top + height)
    pdf.text(x0, top + height + 0.8, "0")
    pdf.text(x0, top + 1.8, str(chart.tallest))
    slot = plot / max(len(chart.bars), 1)
    for i, bar in enumerate(chart.bars):
        if bar.count:
            pdf.set_fill_color(*(MUTED_FILL if bar.muted else BAR_FILL))
            h = height * bar.share
            pdf.rect(left + i * slot + slot * 0.15, top + height - h, slot * 0.7, h, style="F")
        if chart.labelled(i):
            label = "n/r" if bar.muted else bar.label
            w = pdf.get_string_width(label)
            x = left + (i + 0.5) * slot - w / 2
            pdf.text(min(max(x, left), left + plot - w), top + height + 2.8, printable(label))
    pdf.set_xy(x0, top + height + 3.6)
    note = f"{chart.x_label}; bars: {chart.y_label}" + ("; n/r: not recorded" if any(b.muted for b in chart.bars) else "")
    pdf.multi_cell(width, 2.6, printable(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


def _charts(pdf: FPDF, ctx: ReportContext) -> None:
    """Frequency on the left, severity on the right: separate axes, side by side."""
    gutter = 7
    width = (pdf.epw - gutter) / 2
    y0 = pdf.get_y()
    bottoms = []
    for i, chart in enumerate(charts(ctx)):
        _chart(pdf, chart, pdf.l_margin + i * (width + gutter), y0, width)
        bottoms.append(pdf.get_y())
    pdf.set_y(max(bottoms))


def render_pdf(ctx: ReportContext) -> bytes:
    r, user = ctx.report, ctx.user
    pdf = ReportPDF(f"{ctx.disclaimer} Made by Relief Coach from the patient's own diary.")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(SANS, "B", 13)
    pdf.cell(0, 6, "Back spasm diary: report for a doctor", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(SANS, "", 8)
    born = f", born {user.birth_year}" if user.birth_year else ""
    pdf.multi_cell(0, 3.8, printable(
        f"{user.display_name}{born}. Period: {day(r.start)} to {day(r.end)} ({plural(r.days, 'day')}). Episodes logged: "
        f"{r.total}. Generated {moment(ctx.generated_at, user.timezone, weekday_name=False)} ({user.timezone}). {INTRO}"
    ), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)
    _charts(pdf, ctx)
    pdf.ln(1.5)
    with pdf.text_columns(ncols=2, gutter=7, line_height=1.15) as cols:
        for index, section in enumerate(sections(ctx)):
            if index == RIGHT_COLUMN_FROM:
                cols.new_column()
            pdf.set_font(SANS, "B", 9.5)
            pdf.set_text_color(*BAR)
            cols.write(printable(section.title))
            cols.ln()
            pdf.set_text_color(0, 0, 0)
            for line in section.lines:
                if line.label:
                    pdf.set_font(SANS, "B", 8)
                    cols.write(printable(f"{line.label}: "))
                pdf.set_font(SANS, "", 8)
                cols.write(printable(line.text))
                if line.small:
                    pdf.set_font(SANS, "", 6)
                    pdf.set_text_color(*GREY)
                    cols.write(printable(f"  {line.small}"))
                    pdf.set_text_color(0, 0, 0)
                cols.ln()
            pdf.set_font(SANS, "", 3)
            cols.ln()
    pdf.ln(1)
    pdf.set_font(SANS, "I", 7)
    pdf.multi_cell(0, 3.5, printable(f"{ctx.no_medication} {ctx.disclaimer}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())

