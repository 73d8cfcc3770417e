/* SOS: safety check -> quick log (three taps: severity, where, what) -> the recommended routine.
 * Any "yes" is a plain link to the emergency screen. The quick log goes into the outbox first (so it is
 * saved offline too), then, online, to the server; its assessment picks the next screen: emergency ->
 * the emergency screen (no routine), urgent -> the advice with the routine below it, otherwise straight
 * into the player, which starts the first step at once (?from=sos) with the severity as pain before.
 * What was tapped so far survives a reload (sessionStorage).
 */
(function () {
  'use strict';

  const root = document.querySelector('[data-sos]');
  if (!root || !window.CoachOutbox) return;

  const STATE_KEY = 'coach:sos';
  const ASSESSMENT_WAIT_MS = 3000; // on a bad connection, relief does not wait longer than this
  const playUrl = root.getAttribute('data-play-url');
  const emergencyUrl = root.getAttribute('data-emergency-url');
  const stages = {};
  root.querySelectorAll('[data-stage]').forEach(function (el) { stages[el.getAttribute('data-stage')] = el; });
  const logStages = ['severity', 'where', 'what'];
  let state = load();
  let saving = false;

  function load() {
    try { return JSON.parse(window.sessionStorage.getItem(STATE_KEY) || 'null') || {}; } catch (err) { return {}; }
  }
  function keep() {
    try { window.sessionStorage.setItem(STATE_KEY, JSON.stringify(state)); } catch (err) { /* still works */ }
  }
  function forget() {
    try { window.sessionStorage.removeItem(STATE_KEY); } catch (err) { /* nothing kept */ }
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

  /* ---------- Safety check ---------- */
  function toLog() {
    state.stage = 'log';
    state.started_at = state.started_at || new Date().toISOString();
    keep();
    show('log');
    showLogStage(state.logStage || 'severity');
  }

  root.querySelectorAll('[data-safety-yes]').forEach(function (link) {
    link.addEventListener('click', forget);
  });
  root.querySelectorAll('[data-safety-no]').forEach(function (button) {
    button.addEventListener('click', function () {
      button.setAttribute('aria-pressed', 'true');
      const open = root.querySelectorAll('[data-safety-no][aria-pressed="false"]');
      if (open.length === 0) toLog();
    });
  });
  root.querySelector('[data-safety-all-no]').addEventListener('click', function (event) {
    event.preventDefault();
    toLog();
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
      hint.textContent = hint.getAttribute('data-' + view);
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

  root.querySelector('[data-start-now]').addEventListener('click', function (event) {
    event.preventDefault();
    save();
  });

  function playerUrl() {
    const params = new URLSearchParams({ from: 'sos' });
    if (typeof state.severity === 'number') params.set('pain', String(state.severity));
    return playUrl + '?' + params.toString();
  }

  function episodeBody() {
    const body = { started_at: state.started_at || new Date().toISOString(), severity: state.severity };
    if (state.location) { body.locations = [state.location]; body.side = state.side; }
    if (state.trigger) body.trigger = state.trigger;
    if (typeof state.duringExercise === 'boolean') body.during_exercise = state.duringExercise;
    return body;
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  async function save() {
    if (saving) return;
    saving = true;
    const next = playerUrl();
    if (typeof state.severity !== 'number') { // nothing to log yet: relief first, details later
      forget();
      window.location.assign(next);
      return;
    }
    root.querySelector('[data-log-progress]').textContent = 'Saving. Relief starts in a moment';
    let item;
    try {
      item = await window.CoachOutbox.add('episode', '/api/v1/episodes', episodeBody());
    } catch (err) {
      const error = root.querySelector('[data-log-error]');
      error.textContent = 'This phone could not save the log (storage is blocked). Starting relief anyway.';
      error.hidden = false;
    }
    forget();
    if (item) {
      const outcome = await Promise.race([window.CoachOutbox.flush({ ids: [item.id] }), wait(ASSESSMENT_WAIT_MS)]);
      const result = outcome && outcome.results && outcome.results[item.id];
      const assessment = result && result.ok && result.data && result.data.assessment;
      if (assessment && assessment.level === 'emergency') {
        const reason = (assessment.flags.filter(function (f) { return f.level === 'emergency'; })[0] || {}).reason || '';
        window.location.assign(emergencyUrl + '?' + new URLSearchParams({ reason: reason.slice(0, 200) }).toString());
        return;
      }
      if (assessment && assessment.level === 'urgent') {
        showUrgent(assessment, next);
        return;
      }
      if (!assessment) {
        // No answer in time (offline or a slow network): rule E5 needs nothing but this log, so the phone
        // checks it itself; the rest waits for the server, which assesses the log when it arrives.
        const local = localAssessment();
        if (local) { showUrgent(local, next); return; }
      }
    }
    window.location.assign(next);
  }

  function localAssessment() {
    let places = {};
    try { places = JSON.parse(root.getAttribute('data-urgent-locations') || '{}'); } catch (err) { /* none */ }
    if (!state.location || !Object.prototype.hasOwnProperty.call(places, state.location)) return null;
    return { level: 'urgent', flags: [{ level: 'urgent', reason: 'You logged cramps in your ' + places[state.location] + '.' }] };
  }

  // Urgent: the advice first, the routine only below it (CONTENT.md section 0).
  function showUrgent(assessment, next) {
    const list = root.querySelector('[data-urgent-reasons]');
    list.textContent = '';
    assessment.flags.filter(function (f) { return f.level === 'urgent'; }).forEach(function (flag) {
      const li = document.createElement('li');
      li.textContent = flag.reason;
      list.appendChild(li);
    });
    root.querySelector('[data-urgent-continue]').setAttribute('href', next);
    show('urgent');
  }

  /* ---------- Back where the person left off (a reload mid-log) ---------- */
  if (state.stage === 'log') {
    toLog();
    if (typeof state.severity === 'number') {
      const button = root.querySelector('#severity [data-value="' + state.severity + '"]');
      if (button) button.setAttribute('aria-pressed', 'true');
    }
  }
})();
