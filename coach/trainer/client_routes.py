"""A trainer's pages about clients: /trainer (the client list, who needs attention first), a client's page
(adherence day by day, sessions, assignments, the private note; the diary, assessment and doctor report only
while the client shares them) and ending a link from the trainer's side."""
from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from .. import access
from ..domain import adherence as adh
from ..domain import limits
from ..episodes.diary import LEVEL_WORDS, rule_title
from ..episodes.forms import ReportForm
from ..episodes.report_text import INTRO, charts, plural, sections
from ..episodes.reports import build_context, episodes_csv, report_filename, report_period
from ..errors import ValidationError
from ..formats import moment, schedule_text
from ..forms import apply_errors
from . import bp
from .clients import client_detail, client_list, require_trainer, set_note
from .invites import invite_state, list_invites
from .links import end_link

SESSIONS_SHOWN = 10  # the most recent on the page; "Older sessions" pages on
# What the day strip shows for each status: a mark as well as a colour, so colour is never the only sign.
DAY_MARKS = {"done": "✓", "missed": "✕", "paused": "‖", "recovering": "~", "not_due": "·"}


class NoteForm(FlaskForm):
    text = TextAreaField("Private note", description="Only you see this note: never your client, never another "
                         "trainer.", render_kw={"maxlength": limits.TRAINER_NOTE, "rows": 4})


def _now() -> datetime:
    return datetime.now(UTC)


def _me():
    user = current_user._get_current_object()
    require_trainer(user)
    return user


def _assessment_words() -> SimpleNamespace:
    # What the shared flag macros (episodes/_macros.html flag_head) ask of a status.
    return SimpleNamespace(level_word=LEVEL_WORDS.get, title=rule_title)


@bp.route("/trainer")
@login_required
def home():
    user, now = _me(), _now()
    rows = client_list(user, now)
    waiting = sum(1 for invite in list_invites(user, now) if invite_state(invite, now) == "open")
    attention = [row for row in rows if row.attention.reason]
    rest = [row for row in rows if not row.attention.reason]
    return render_template("trainer/home.html", nav="clients", attention=attention, rest=rest, total=len(rows),
                           waiting=waiting, level_words=LEVEL_WORDS)


def _detail_page(client_id: int, form: NoteForm | None = None, status: int = 200):
    user, now = _me(), _now()
    detail = client_detail(user, client_id, now, cursor=request.args.get("cursor"), limit=SESSIONS_SHOWN)
    client = detail.client
    if form is None:
        form = NoteForm(data={"text": detail.link.note or ""})
    zone = ZoneInfo(client.timezone)
    return render_template(
        "trainer/client.html", nav="clients", d=detail, client=client, row=detail.row, form=form,
        marks=DAY_MARKS, words=adh.STATUS_WORDS, level_words=LEVEL_WORDS, status=_assessment_words(),
        in_their_zone=lambda value: moment(value, zone), schedule_of=lambda s: schedule_text(s, zone),
    ), status


@bp.route("/trainer/clients/<int:client_id>")
@login_required
def client_page(client_id: int):
    return _detail_page(client_id)


@bp.route("/trainer/clients/<int:client_id>/note", methods=["POST"])
@login_required
def client_note(client_id: int):
    form = NoteForm()
    if form.validate_on_submit():
        try:
            set_note(_me(), client_id, form.text.data, _now())
        except ValidationError as error:
            apply_errors(form, error)
            return _detail_page(client_id, form, 400)
        flash("Note saved. Only you can see it.", "success")
        return redirect(url_for("trainer.client_page", client_id=client_id) + "#note")
    return _detail_page(client_id, form, 400)


@bp.route("/trainer/clients/<int:client_id>/end", methods=["POST"])
@login_required
def client_end(client_id: int):
    user = _me()
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    link = end_link(user, client_id=client_id, now=_now())
    flash(f"You no longer coach {link.client.display_name}. Their assignments from you have stopped.", "success")
    return redirect(url_for("trainer.home"))


# ---------------------------------------------------------------- the doctor report of a sharing client

def _client_report(client_id: int):
    """The report of the period asked for, for a client who shares their diary (NotFound otherwise: the same
    answer as for someone not linked)."""
    user, now = _me(), _now()
    client = access.subject(user, client_id, access.Scope.EPISODES, message="No such client.")
    form = ReportForm(request.args)
    form.validate()
    days = int(form.days.data) if form.days.data and form.days.data.isdigit() else None
    end = form.end.data if not form.end.errors else None
    start, end = report_period(now.astimezone(ZoneInfo(client.timezone)).date(), days, end)
    return client, form, build_context(user, start, end, now, subject=client)


def _attachment(body, mimetype: str, filename: str, inline: bool = False) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@bp.route("/trainer/clients/<int:client_id>/report")
@login_required
def client_report(client_id: int):
    client, form, ctx = _client_report(client_id)
    pdf_args = {"days": ctx.report.days, "end": ctx.report.end.isoformat()}
    urls = {"back": url_for("trainer.client_page", client_id=client.id), "back_label": f"{client.display_name}'s page",
            "report": url_for("trainer.client_report", client_id=client.id),
            "pdf": url_for("trainer.client_report_pdf", client_id=client.id, download=1, **pdf_args)}
    return render_template("episodes/report.html", nav="clients", urls=urls, form=form, ctx=ctx, sections=sections(ctx),
                           charts=charts(ctx), intro=INTRO, pdf_args=pdf_args, plural=plural)


@bp.route("/trainer/clients/<int:client_id>/report.pdf")
@login_required
def client_report_pdf(client_id: int):
    from ..episodes.pdf import render_pdf  # why: fpdf2 takes 0.3 s to import; only a PDF request pays it

    client, _, ctx = _client_report(client_id)
    return _attachment(render_pdf(ctx), "application/pdf", report_filename(client, ctx.report.start, ctx.report.end, "pdf"),
                       inline=request.args.get("download") != "1")


@bp.route("/trainer/clients/<int:client_id>/report.csv")
@login_required
def client_report_csv(client_id: int):
    user = _me()
    client = access.subject(user, client_id, access.Scope.EPISODES, message="No such client.")
    today = _now().astimezone(ZoneInfo(client.timezone)).date().isoformat()
    return _attachment("\ufeff" + episodes_csv(user, subject=client), "text/csv",
                       f"relief-coach-episodes-{client.id}-{today}.csv")
