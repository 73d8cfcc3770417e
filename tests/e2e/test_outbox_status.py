"""What the outbox line and the sign-in offer say about writes kept on this phone while signed out (real Chromium):
spasms counted once however many answers were saved on each, routine sessions, and a profile answer named as one."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import register

SPASM = "5b0e3c55-8a53-4b8e-9d3f-4a7f1c0d2e11"
OTHER_SPASM = "0c7a9a3e-3b5f-4a44-8f0e-2d1b6c9e7f20"

# What an SOS with the safety check, the urgent line and the quick log leaves in the outbox, signed out: three
# upserts of one spasm, a profile answer, a second spasm and one routine session.
QUEUE = """async ([spasm, other]) => {
  const upsert = id => '/api/v1/episodes/by-client/' + id;
  await CoachOutbox.add('episode', upsert(spasm), {started_at: new Date().toISOString(), symptoms: ['fever']}, {method: 'PUT'});
  await CoachOutbox.add('profile', '/api/v1/me', {cancer_history: true}, {method: 'PATCH'});
  await CoachOutbox.add('episode', upsert(spasm), {started_at: new Date().toISOString(), severity: 6}, {method: 'PUT'});
  await CoachOutbox.add('episode', upsert(spasm), {started_at: new Date().toISOString(), trigger: 'bending'}, {method: 'PUT'});
  await CoachOutbox.add('episode', upsert(other), {started_at: new Date().toISOString(), severity: 4}, {method: 'PUT'});
  await CoachOutbox.add('session', '/api/v1/sessions', {routine: 'heat', started_at: new Date().toISOString()});
  await CoachRelief.refresh();
}"""


def test_the_line_counts_spasms_sessions_and_a_profile_answer(page):
    page.goto("/routines")
    page.evaluate(QUEUE, [SPASM, OTHER_SPASM])
    status = page.locator("[data-outbox-status]").first
    expect(status).to_have_text("2 spasm logs, 1 routine session and an answer for your profile saved on this "
                                "phone. Sign in to add to your diary.")

    # One spasm answered three times, nothing else: one spasm log.
    page.evaluate("""async (other) => {
      const items = await CoachOutbox.all();
      await CoachOutbox.discard(items.filter(i => i.kind !== 'episode' || i.url.endsWith(other)).map(i => i.id));
      await CoachRelief.refresh();
    }""", OTHER_SPASM)
    expect(status).to_have_text("1 spasm log saved on this phone. Sign in to add to your diary.")


def test_the_offer_after_sign_in_names_what_was_kept(page):
    page.goto("/routines")
    page.evaluate("""async (spasm) => {
      const upsert = '/api/v1/episodes/by-client/' + spasm;
      await CoachOutbox.add('episode', upsert, {started_at: new Date().toISOString(), symptoms: ['fever']}, {method: 'PUT'});
      await CoachOutbox.add('episode', upsert, {started_at: new Date().toISOString(), severity: 5}, {method: 'PUT'});
      await CoachOutbox.add('profile', '/api/v1/me', {cancer_history: true}, {method: 'PATCH'});
    }""", SPASM)
    register(page, "kept@example.com")
    offer = page.locator("[data-outbox-offer]")
    expect(offer.locator("[data-offer-text]")).to_have_text(
        "1 spasm log and an answer for your profile were saved on this phone while signed out.")
