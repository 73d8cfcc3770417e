"""The doctor report (print-friendly HTML and a one-page PDF) and the CSV export of the diary."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Response, render_template, request
from flask_login import current_user, login_required

from . import bp
from .forms import ReportForm
from .report_text import INTRO, charts, plural, sections
from .reports import build_context, episodes_csv, report_filename, report_period
from .routes import HELPERS


def _now() -> datetime:
    return datetime.now(UTC)


def _context():
    """The report for the period chosen in the query string (default: the 90 days ending today)."""
    user, now = current_user._get_current_object(), _now()
    form = ReportForm(request.args)
    form.validate()
    days = int(form.days.data) if form.days.data and form.days.data.isdigit() else None
    end = form.end.data if not form.end.errors else None
    start, end = report_period(now.astimezone(ZoneInfo(user.timezone)).date(), days, end)
    return form, build_context(user, start, end, now)


def _attachment(body, mimetype: str, filename: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@bp.route("/report")
@login_required
def report():
    form, ctx = _context()
    return render_template(
        "episodes/report.html", **HELPERS, form=form, ctx=ctx, sections=sections(ctx), charts=charts(ctx), intro=INTRO,
        pdf_args={"days": ctx.report.days, "end": ctx.report.end.isoformat()}, plural=plural,
    )


@bp.route("/report.pdf")
@login_required
def report_pdf():
    from .pdf import render_pdf  # why: fpdf2 takes 0.3 s to import; only a PDF request pays it

    _, ctx = _context()
    return _attachment(render_pdf(ctx), "application/pdf", report_filename(ctx.user, ctx.report.start, ctx.report.end, "pdf"),
                       inline=request.args.get("download") != "1")


@bp.route("/episodes.csv")
@login_required
def csv_export():
    user = current_user._get_current_object()
    filename = f"relief-coach-episodes-{_now().astimezone(ZoneInfo(user.timezone)).date().isoformat()}.csv"
    # A byte-order mark so spreadsheet programs read the file as UTF-8.
    return _attachment("\ufeff" + episodes_csv(user), "text/csv", filename)
