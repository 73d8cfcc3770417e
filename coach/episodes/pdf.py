"""The doctor report as a one-page A4 PDF, drawn with fpdf2 (pure Python) in Liberation Sans, which ships with
the package (fonts/, GPL with the font exception: a document that embeds it is not covered). It has Helvetica's
metrics, so the one-page layout holds, and Latin, Greek and Cyrillic letters, so names and notes print as typed."""
from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .report_text import day, sections
from .reports import ReportContext

MARGIN = 12
# Onset to severity on the left; symptoms, relief, flags and profile on the right.
RIGHT_COLUMN_FROM = 5
GREY = (110, 110, 110)
LIGHT = (215, 215, 215)
BAR = (23, 89, 110)
BAR_FILL = (150, 196, 210)
DOT = (179, 38, 30)
FONTS = Path(__file__).with_name("fonts")
FONT_FILES = {"": "LiberationSans-Regular.ttf", "B": "LiberationSans-Bold.ttf", "I": "LiberationSans-Italic.ttf"}
SANS = "Sans"
# Stand-ins for characters the font lacks.
REPLACE = str.maketrans({"\u2192": "->", "\u2264": "<=", "\u2265": ">="})


@cache
def _drawable_codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTFont

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


def _chart(pdf: FPDF, ctx: ReportContext, height: float = 20) -> None:
    """Episodes per week as bars, each episode's severity as a dot above its date."""
    r = ctx.report
    x0, y0 = pdf.l_margin + 6, pdf.get_y()
    width = pdf.epw - 6
    pdf.set_font(SANS, "", 6)
    pdf.set_text_color(*GREY)
    pdf.set_draw_color(*LIGHT)
    pdf.set_line_width(0.2)
    pdf.line(x0, y0 + height, x0 + width, y0 + height)
    pdf.line(x0, y0, x0, y0 + height)
    for value in (0, 5, 10):
        y = y0 + height - height * value / 10
        pdf.text(pdf.l_margin, y + 1, str(value))
    weeks = r.weekly or []
    span = max((r.end - r.start).days + 1, 1)
    most = max((count for _, count in weeks), default=0)
    if weeks and most:
        slot = width / len(weeks)
        pdf.set_fill_color(*BAR_FILL)
        for i, (_, count) in enumerate(weeks):
            bar = (height * 0.9) * count / most
            if count:
                pdf.rect(x0 + i * slot + slot * 0.2, y0 + height - bar, slot * 0.6, bar, style="F")
    pdf.set_fill_color(*DOT)
    for when, severity in r.severity_points:
        x = x0 + width * ((when - r.start).days + 0.5) / span
        y = y0 + height - height * severity / 10
        pdf.ellipse(x - 0.8, y - 0.8, 1.6, 1.6, style="F")
    pdf.set_xy(pdf.l_margin, y0 + height + 0.5)
    pdf.cell(width / 2, 3, printable(day(r.start)))
    pdf.cell(width / 2 + 6, 3, printable(day(r.end)), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 3, f"Dots: severity of each episode (left scale, 0-10). Bars: episodes per week (tallest bar = {most}).",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


def render_pdf(ctx: ReportContext) -> bytes:
    r, user = ctx.report, ctx.user
    pdf = ReportPDF(f"{ctx.disclaimer} Made by Relief Coach from the patient's own diary.")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(SANS, "B", 13)
    pdf.cell(0, 6, "Back spasm diary: report for a doctor", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(SANS, "", 8)
    generated = ctx.generated_at.astimezone(ZoneInfo(user.timezone))
    born = f", born {user.birth_year}" if user.birth_year else ""
    pdf.multi_cell(0, 3.8, printable(
        f"{user.display_name}{born}. Period: {day(r.start)} to {day(r.end)} ({r.days} days), {r.total} episodes. "
        f"Generated {day(generated.date())} {generated:%H:%M} ({user.timezone}). Severity is self-rated 0-10."
    ), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)
    _chart(pdf, ctx)
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
            for label, text in section.lines:
                if label:
                    pdf.set_font(SANS, "B", 8)
                    cols.write(printable(f"{label}: "))
                pdf.set_font(SANS, "", 8)
                cols.write(printable(text))
                cols.ln()
            pdf.set_font(SANS, "", 3)
            cols.ln()
    pdf.ln(1)
    pdf.set_font(SANS, "I", 7)
    pdf.multi_cell(0, 3.5, printable(f"{ctx.no_medication} {ctx.disclaimer}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())

