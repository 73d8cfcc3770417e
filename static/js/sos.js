/* SOS: safety check -> quick log (three taps: severity, where, what) -> the recommended routine.
 *
 * The spasm: an SOS that begins makes one client id for this spasm and keeps it in localStorage
 * 'coach:spasm' ({client_id, started_at, saved_at}; the player reads it to save an emergency stop reason on
 * the same spasm). Everything this page learns goes into the outbox as an upsert of that spasm
 * (PUT /api/v1/episodes/by-client/<client_id>), each step with only the fields it knows, so the safety
 * answers and the quick log are one episode, online or offline.
 *
 * - Any "Yes" is saved (the symptom code, or trigger: accident) and opens /emergency?reason=<code>. Without
 *   script it is still a plain link to the emergency screen.
 * - A ticked urgent item (the line below the list) is saved at once (a symptom, locked_minutes 61, or the
 *   profile's cancer_history through PATCH /api/v1/me) and the urgent advice comes before the routine. A second
 *   tap undoes it the same way (safety.js), and it is no longer a reason for the advice.
 * - The quick log (also when relief is started before the pain score: severity is then not recorded) waits
 *   up to 3 s for the server's assessment: emergency -> the emergency screen (no routine), urgent -> the
 *   advice with the routine below it, otherwise straight into the player. With no answer in time the phone
 *   decides what it can (a ticked item, or a place that alone gives a tier: LOCATION_LEVELS). A later answer
 *   reaches window.CoachLevel through the outbox and is shown at the next page open.
 * What was tapped so far survives a reload (sessionStorage).
 */
(function () {
  'use strict';

  const root = document.querySelector('[data-sos]');
  if (!root || !window.CoachOutbox || !window.CoachSafety) return;

  const Outbox = window.CoachOutbox;
  const STATE_KEY = 'coach:sos';
  const SPASM_KEY = 'coach:spasm';
  const ASSESSMENT_WAIT_MS = 3000; // on a bad connection, relief does not wait longer than this
  const playUrl = root.getAttribute('data-play-url');
  const emergencyUrl = root.getAttribute('data-emergency-url');
  const stages = {};
  root.querySelectorAll('[data-stage]').forEach(function (el) { stages[el.getAttribute('data-stage')] = el; });
  const logStages = ['severity', 'where', 'what'];
  let state = load();
  let leaving = false;

  function load() {
    try { return JSON.parse(window.sessionStorage.getItem(STATE_KEY) || 'null') || {}; } catch (err) { return {}; }
  }
  function keep() {
    try { window.sessionStorage.setItem(STATE_KEY, JSON.stringify(state)); } catch (err) { /* still works */ }
  }
  function forget() {
    try { window.sessionStorage.removeItem(STATE_KEY); } catch (err) { /* nothing kept */ }
  }
  function readJson(name, fallback) {
    try { return JSON.parse(root.getAttribute(name) || 'null') || fallback; } catch (err) { return fallback; }
  }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /* ---------- The spasm this SOS is about (contract 6) ---------- */
  function beginSpasm() {
    if (!state.client_id) {
      state.client_id = Outbox.uuid();
      state.started_at = new Date().toISOString();
      state.urgent = [];
      keep();
    }
    rememberSpasm();
  }
  function rememberSpasm() {
    try {
      window.localStorage.setItem(SPASM_KEY, JSON.stringify({
        client_id: state.client_id, started_at: state.started_at, saved_at: Date.now(),
      }));
    } catch (err) { /* private mode: the page still saves through its own state */ }
  }

  // fields: only what this step knows. started_at travels with every step: the first one to reach the
  // server creates the episode, whichever it is.
  function queueEpisode(fields) {
    const body = Object.assign({ started_at: state.started_at }, fields);
    rememberSpasm();
    return Outbox.add('episode', '/api/v1/episodes/by-client/' + encodeURIComponent(state.client_id), body, { method: 'PUT' });
  }

  function show(name) {
    Object.keys(stages).forEach(function (key) { stages[key].hidden = key !== name; });
    const heading = stages[name].querySelector('h1');
    if (heading) heading.focus();
    window.scrollTo(0, 0);
  }

  function showLogStage(name) {
    logStages.forEach(function (key) {
      root.querySelector('[data-log-stage="' + key + '"]').hidden = key !== name;
    });
    state.logStage = name;
    keep();
    root.querySelector('[data-log-progress]').textContent = 'Question ' + (logStages.indexOf(name) + 1) + ' of 3';
  }

  beginSpasm();

  function toLog() {
    state.stage = 'log';
    keep();
    show('log');
    showLogStage(state.logStage || 'severity');
  }

  /* ---------- Safety check (safety.js, shared with the player) ----------
   * Any "Yes" is saved on this spasm's log, then the emergency screen; "No to all" is remembered as this
   * phone's answer (so the player does not ask again within 12 hours) and opens the quick log; each tick of the
   * urgent line is saved at once, relief not held back. */
  const safety = window.CoachSafety.bind(stages.safety, {
    saveEpisode: queueEpisode,
    urgent: function () { return state.urgent || []; },
    onTicked: function (key) { state.urgent = (state.urgent || []).concat([key]); keep(); },
    onUnticked: function (key) { state.urgent = (state.urgent || []).filter(function (k) { return k !== key; }); keep(); },
    onYes: function () { if (leaving) return false; leaving = true; return true; },
    beforeLeave: forget,
    onAllNo: function (event) { event.preventDefault(); toLog(); },
  });

  /* ---------- Quick log ---------- */
  window.CoachRelief.scale(root.querySelector('#severity'), function (value) {
    state.severity = value;
    showLogStage('where');
  });

  root.querySelectorAll('[data-view-toggle]').forEach(function (button) {
    button.addEventListener('click', function () {
      const view = button.getAttribute('data-view-toggle');
      root.querySelectorAll('[data-view-toggle]').forEach(function (b) { b.setAttribute('aria-pressed', b === button ? 'true' : 'false'); });
      root.querySelectorAll('[data-view]').forEach(function (map) { map.hidden = map.getAttribute('data-view') !== view; });
      const hint = root.querySelector('[data-view-hint]');
      if (hint) hint.textContent = hint.getAttribute('data-' + view);
    });
  });

  root.querySelectorAll('[data-location]').forEach(function (button) {
    button.addEventListener('click', function () {
      root.querySelectorAll('[data-location]').forEach(function (b) { b.setAttribute('aria-pressed', b === button ? 'true' : 'false'); });
      state.location = button.getAttribute('data-location');
      state.side = button.getAttribute('data-side');
      showLogStage('what');
    });
  });

  // "Were you training?" is optional: a tap answers, a second tap on the same answer takes it back.
  const trainingButtons = root.querySelectorAll('[data-training]');
  function paintTraining() {
    trainingButtons.forEach(function (button) {
      const yes = button.getAttribute('data-training') === 'yes';
      button.setAttribute('aria-pressed', typeof state.duringExercise === 'boolean' && yes === state.duringExercise ? 'true' : 'false');
    });
  }
  trainingButtons.forEach(function (button) {
    button.addEventListener('click', function () {
      const answer = button.getAttribute('data-training') === 'yes';
      state.duringExercise = state.duringExercise === answer ? null : answer;
      keep();
      paintTraining();
    });
  });
  paintTraining(); // a reload keeps the answer

  root.querySelectorAll('[data-trigger]').forEach(function (button) {
    button.addEventListener('click', function () {
      button.setAttribute('aria-pressed', 'true');
      state.trigger = button.getAttribute('data-trigger');
      save();
    });
  });

  // Relief before the pain score: the log is still sent (severity not recorded) and the server still checks it.
  root.querySelector('[data-start-now]').addEventListener('click', function (event) {
    event.preventDefault();
    save();
  });

  function playerUrl() {
    const params = new URLSearchParams({ from: 'sos' });
    if (typeof state.severity === 'number') params.set('pain', String(state.severity));
    return playUrl + '?' + params.toString();
  }

  // Only what was answered: a question skipped is not recorded, never a made-up "no".
  function logFields() {
    const fields = {};
    if (typeof state.severity === 'number') fields.severity = state.severity;
    if (state.location) { fields.locations = [state.location]; fields.side = state.side; }
    if (state.trigger) fields.trigger = state.trigger;
    if (typeof state.duringExercise === 'boolean') fields.during_exercise = state.duringExercise;
    return fields;
  }

  function toEmergency(reason) {
    window.location.assign(emergencyUrl + '?' + new URLSearchParams({ reason: reason }).toString());
  }

  async function save() {
    if (leaving) return;
    leaving = true;
    const next = playerUrl();
    root.querySelector('[data-log-progress]').textContent = 'Saving. Relief starts in a moment';
    let item = null;
    try {
      item = await queueEpisode(logFields());
    } catch (err) {
      const error = root.querySelector('[data-log-error]');
      error.textContent = 'This phone could not save the log (storage is blocked). Starting relief anyway.';
      error.hidden = false;
    }
    const local = localAssessment();
    forget();
    let assessment = null;
    if (item) {
      // Everything waiting goes, oldest first (a tick before the log); this log's answer decides the next screen.
      const outcome = await Promise.race([Outbox.flush().catch(function () { return null; }), wait(ASSESSMENT_WAIT_MS)]);
      const result = outcome && outcome.results && outcome.results[item.id];
      assessment = (result && result.ok && result.data && result.data.assessment) || null;
    }
    if (assessment && assessment.level === 'emergency') { toEmergency('assessment'); return; }
    if (assessment && assessment.level === 'urgent') {
      showUrgent(reasonsOf(assessment), next);
      // This page has given the advice: the player does not show it again (a newer answer still shows).
      if (window.CoachLevel && window.CoachLevel.markShown) window.CoachLevel.markShown(assessment);
      return;
    }
    if (!assessment && local.level === 'emergency') { toEmergency(local.reason); return; }
    // The server's answer (none or routine) cannot know a tick that has not reached it yet: the higher wins.
    if (local.level === 'urgent') { showUrgent(local.reasons, next); return; }
    window.location.assign(next);
  }

  function reasonsOf(assessment) {
    return (assessment.flags || []).filter(function (f) { return f.level === 'urgent'; }).map(function (f) { return f.reason; });
  }

  // What the phone can decide without the server: the ticked urgent items, and a place that alone gives a
  // tier (rules E5, E6, E7 through LOCATION_LEVELS).
  function localAssessment() {
    const reasons = safety.tickedLabels();
    const places = readJson('data-location-levels', {});
    const place = state.location && Object.prototype.hasOwnProperty.call(places, state.location) ? places[state.location] : null;
    if (place && place.level === 'emergency') return { level: 'emergency', reason: 'chest_pain', reasons: reasons };
    if (place && place.level === 'urgent') reasons.push('You logged cramps in your ' + place.label + '.');
    return { level: reasons.length ? 'urgent' : 'none', reasons: reasons };
  }

  // Urgent: the advice first, the routine only below it (CONTENT.md section 0).
  function showUrgent(reasons, next) {
    window.CoachSafety.fillUrgent(root, root.getAttribute('data-urgent-advice'), root.getAttribute('data-country'), reasons);
    root.querySelector('[data-urgent-continue]').setAttribute('href', next);
    show('urgent');
  }

  // Back to this page from the next one (back/forward cache): what was sent is sent; start a fresh check.
  window.addEventListener('pageshow', function (event) {
    if (event.persisted && leaving) window.location.reload();
  });

  /* ---------- Back where the person left off (a reload mid-log) ---------- */
  if (state.stage === 'log') {
    toLog();
    if (typeof state.severity === 'number') {
      const button = root.querySelector('#severity [data-value="' + state.severity + '"]');
      if (button) button.setAttribute('aria-pressed', 'true');
    }
  }
})();
