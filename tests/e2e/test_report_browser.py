"""The doctor report's charts on a phone, in the dark and the light scheme: every label and bar readable."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach.extensions import db
from coach.models import Episode, User
from tests.diary_seed import seed_typical
from tests.e2e.conftest import PHONE, assert_no_axe_violations, open_phone, register

# For each chart text and bar: its colour and the colour it sits on (the first ancestor with a background).
CONTRASTS = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m); return (x + 0.05) / (y + 0.05); };
  const behind = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return rgb(getComputedStyle(document.body).backgroundColor);
  };
  const page = rgb(getComputedStyle(document.body).backgroundColor);
  return [...document.querySelectorAll('.report-chart svg text, .report-chart svg rect, .report-chart svg line')].map((el) => {
    const style = getComputedStyle(el);
    const colour = rgb(el.tagName === 'line' ? style.stroke : style.fill);
    return {tag: el.tagName, text: el.textContent.trim().slice(0, 30), card: ratio(colour, behind(el)),
            page: ratio(colour, page), opacity: Number(style.opacity)};
  });
}"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_report_charts_meet_aa_contrast_on_a_phone(browser, seeded_server, scheme):
    context, page = open_phone(browser, seeded_server, PHONE, color_scheme=scheme)
    try:
        register(page, f"report-{scheme}@example.com", name="Report User")
        with seeded_server.app.app_context():
            user = db.session.scalar(db.select(User).where(User.email == f"report-{scheme}@example.com"))
            seed_typical(user, datetime.now(UTC))
            # One spasm with no score, so the severity chart draws its "not recorded" bar too.
            db.session.add(Episode(user_id=user.id, started_at=datetime.now(UTC) - timedelta(days=2), trigger=None,
                                   during_exercise=None, severity=None, locked_minutes=None, eased_by_stretch=None,
                                   locations=[], side=None, symptoms=[]))
            db.session.commit()
        page.goto("/report")
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") is (scheme == "dark")
        assert page.locator(".report-chart").count() == 2
        assert page.locator(".report-chart rect.report-bar-muted").count() == 1
        marks = page.evaluate(CONTRASTS)
        texts = [m for m in marks if m["tag"] == "text"]
        graphics = [m for m in marks if m["tag"] != "text"]
        assert len(texts) >= 10 and len(graphics) >= 10
        assert all(m["opacity"] == 1 for m in marks)
        for mark in texts:  # 4.5:1 for text, on the card and on the page around it
            assert min(mark["card"], mark["page"]) >= 4.5, (scheme, mark)
        for mark in graphics:  # 3:1 for bars and axes
            assert min(mark["card"], mark["page"]) >= 3, (scheme, mark)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_no_axe_violations(page)
        assert page.js_errors == []
    finally:
        context.close()
