/* The routine player: any routine, read from the step list the server rendered.
 * One step at a time: countdown (number and ring), progress for the step and the routine, pause / resume,
 * back, skip, the next step previewed, Stop always on screen. At each step change: vibration, a short
 * beep (Web Audio), the live region, and optionally speech. The screen is kept awake while it runs.
 * Pain before (from SOS: ?pain=) and after. The session (completed or stopped, with the steps whose
 * countdown ran out) goes into the outbox, so it is recorded offline too.
 *
 * Time is measured, not counted: each tick subtracts the real time elapsed (times the speed), so a slow
 * or throttled timer never stretches a step. Speed comes from data-speed, or ?speed= where allowed (tests).
 */
(function () {
  'use strict';

  const root = document.querySelector('[data-player]');
  if (!root) return;

  const params = new URLSearchParams(window.location.search);
  // A trainer's preview of a routine plays it unchanged but records nothing.
  const preview = root.getAttribute('data-preview') === 'true';
  const OPTIONS_KEY = 'coach:player-options';
  const steps = Array.prototype.map.call(root.querySelectorAll('[data-steps] > li'), function (li) {
    const note = li.querySelector('[data-note]');
    return {
      position: Number(li.getAttribute('data-position')),
      seconds: Number(li.getAttribute('data-seconds')),
      optional: li.getAttribute('data-optional') === 'true',
      title: li.querySelector('[data-title]').textContent.trim(),
      instruction: li.querySelector('[data-instruction]').textContent.trim(),
      note: note ? note.textContent.trim() : '',
    };
  });
  if (!steps.length) return;
  root.classList.add('is-enhanced');

  const $ = function (selector) { return root.querySelector(selector); };
  const panels = {};
  root.querySelectorAll('[data-panel]').forEach(function (el) { panels[el.getAttribute('data-panel')] = el; });
  const totalSeconds = steps.reduce(function (sum, s) { return sum + s.seconds; }, 0);
  const speed = readSpeed();
  const tickMs = Math.max(16, Math.min(250, 250 / speed));

  const state = {
    index: 0, remaining: 0, running: false, timer: null, last: 0, done: {}, startedAt: null,
    painBefore: readPain(params.get('pain')), painAfter: null, completed: false, stopReason: null, stopAndLog: false, recorded: false,
  };
  const options = loadOptions();

  function readSpeed() {
    let value = Number(root.getAttribute('data-speed')) || 1;
    if (root.getAttribute('data-speed-param') === 'true' && params.get('speed')) {
      const asked = Number(params.get('speed'));
      if (asked > 0) value = asked;
    }
    return Math.min(Math.max(value, 0.01), Number(root.getAttribute('data-max-speed')) || 1000);
  }

  function readPain(value) {
    if (value === null || value === '' || !/^\d+$/.test(value)) return null;
    const n = Number(value);
    return n >= 0 && n <= 10 ? n : null;
  }

  function loadOptions() {
    let saved = {};
    try { saved = JSON.parse(window.localStorage.getItem(OPTIONS_KEY) || '{}') || {}; } catch (err) { saved = {}; }
    const result = { sound: saved.sound !== false, speech: saved.speech === true };
    root.querySelectorAll('[data-option]').forEach(function (input) {
      const name = input.getAttribute('data-option');
      input.checked = result[name];
      input.addEventListener('change', function () {
        result[name] = input.checked;
        if (name === 'speech' && window.speechSynthesis) {
          window.speechSynthesis.cancel();
          if (input.checked && state.running) speak(steps[state.index]); // from now, starting with this step
        }
        try { window.localStorage.setItem(OPTIONS_KEY, JSON.stringify(result)); } catch (err) { /* not kept */ }
      });
    });
    if (!('speechSynthesis' in window)) $('[data-speech-option]').hidden = true;
    return result;
  }

  function showPanel(name) {
    Object.keys(panels).forEach(function (key) { panels[key].hidden = key !== name; });
    root.setAttribute('data-state', name);
  }

  function clock(ms) {
    const seconds = Math.max(0, Math.ceil(ms / 1000));
    return Math.floor(seconds / 60) + ':' + String(seconds % 60).padStart(2, '0');
  }

  /* ---------- Cues ---------- */
  let audio = null;
  function beep() {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      if (audio.state === 'suspended') audio.resume().catch(function () {});
      const t = audio.currentTime;
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.3, t + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.2);
    } catch (err) { /* no sound: vibration and the screen still say it */ }
  }

  function cue(step) {
    if (options.sound) {
      if (navigator.vibrate) navigator.vibrate(200);
      beep();
    }
    if (options.speech) speak(step);
  }

  function speak(step) {
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) return;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(new window.SpeechSynthesisUtterance(step.title + '. ' + step.instruction));
  }

  function announce(text) {
    // Clear first so the same text twice is still read out.
    const live = $('[data-live]');
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  /* ---------- Screen wake lock ---------- */
  let lock = null;
  function keepAwake() {
    if (!('wakeLock' in navigator) || lock || document.visibilityState !== 'visible') return;
    navigator.wakeLock.request('screen').then(function (sentinel) {
      lock = sentinel;
      lock.addEventListener('release', function () { lock = null; });
    }).catch(function () { lock = null; });
  }
  function letSleep() {
    if (lock) lock.release().catch(function () {});
    lock = null;
  }
  // The browser drops the lock when the page is hidden; take it again on return.
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && state.running) keepAwake();
  });

  /* ---------- Drawing ---------- */
  function render() {
    const step = steps[state.index];
    const elapsedStep = step.seconds * 1000 - state.remaining;
    const before = steps.slice(0, state.index).reduce(function (sum, s) { return sum + s.seconds; }, 0) * 1000;
    const stepShare = Math.min(1, Math.max(0, elapsedStep / (step.seconds * 1000)));
    $('[data-time]').textContent = clock(state.remaining);
    $('[data-ring]').setAttribute('stroke-dashoffset', String(Math.round(stepShare * 1000)));
    $('[data-step-progress]').value = Math.round(stepShare * 1000);
    $('[data-routine-progress]').value = Math.round(Math.min(1, (before + elapsedStep) / (totalSeconds * 1000)) * 1000);
  }

  function renderStep() {
    const step = steps[state.index];
    $('[data-count]').textContent = 'Step ' + (state.index + 1) + ' of ' + steps.length;
    $('[data-step-title]').textContent = step.title;
    $('[data-step-instruction]').textContent = step.instruction;
    const note = $('[data-step-note]');
    note.textContent = step.note;
    note.hidden = !step.note;
    $('[data-optional-badge]').hidden = !step.optional;
    const next = steps[state.index + 1];
    $('[data-next]').textContent = next ? 'Next: ' + next.title + ' · ' + clock(next.seconds * 1000) : 'This is the last step.';
    $('[data-back]').disabled = state.index === 0;
    render();
    fit();
  }

  /* ---------- Layout: the countdown is never covered, and stays the largest text ----------
   * The dock (Back, Pause, Skip, Stop) sticks to the bottom of the screen above the tab bar. Everything of the step
   * (the count and the routine's progress, title, instruction, countdown, next step) is meant to end above it. When
   * it would not (a short phone, a long instruction, large text): first the digits move beside a small ring at full
   * size (is-compact), then that ring shrinks to MIN_RING_REM, then the instruction gets a height of whole lines and
   * scrolls, its last line faded under "More". The digits themselves never shrink and never move under the dock.
   * Measured, so it holds for any routine, text size and advice block above. */
  const MIN_RING_REM = 3;
  const MIN_TEXT_LINES = 2;
  const GAP_PX = 8;
  const more = $('[data-more]');
  function moreLeft(text) { return text.scrollTop + text.clientHeight < text.scrollHeight - 1; }
  function paintMore() {
    const text = $('[data-step-text]');
    const left = text.classList.contains('is-scrolling') && moreLeft(text);
    text.classList.toggle('has-more', left);
    more.hidden = !left;
  }
  $('[data-step-text]').addEventListener('scroll', paintMore, { passive: true });
  more.addEventListener('click', function () {
    const text = $('[data-step-text]');
    const line = parseFloat(getComputedStyle($('[data-step-instruction]')).lineHeight) || 24;
    text.scrollBy({ top: Math.max(line, text.clientHeight - line), behavior: 'smooth' });
  });
  function fit() {
    if (root.getAttribute('data-state') !== 'run') return;
    const text = $('[data-step-text]');
    const dial = $('[data-dial]');
    const dock = $('[data-dock]');
    const last = $('[data-next]');
    const tabbar = document.querySelector('.tabbar');
    const tabbarHeight = tabbar && getComputedStyle(tabbar).position === 'sticky' ? tabbar.offsetHeight : 0;
    root.style.setProperty('--tabbar-height', tabbarHeight + 'px');
    dial.classList.remove('is-compact');
    dial.style.removeProperty('--ring-size');
    text.style.maxHeight = '';
    text.classList.remove('is-scrolling');
    text.removeAttribute('tabindex');
    text.removeAttribute('role');
    text.removeAttribute('aria-label');
    paintMore();
    // Where the step's last line ends with the page scrolled to the top, against where the stuck dock begins.
    const dockTop = window.innerHeight - tabbarHeight - dock.offsetHeight - GAP_PX;
    function over() { return last.getBoundingClientRect().bottom + window.scrollY - dockTop; }
    let excess = over();
    if (excess <= 0) return;
    dial.classList.add('is-compact');
    excess = over();
    if (excess <= 0) return;
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const size = dial.querySelector('.player-ring').getBoundingClientRect().width;
    const shrink = Math.max(0, Math.min(excess, size - MIN_RING_REM * rem));
    if (shrink > 0) {
      dial.style.setProperty('--ring-size', (size - shrink) + 'px');
      excess = over();
    }
    if (excess <= 0) return;
    const instruction = $('[data-step-instruction]');
    const line = parseFloat(getComputedStyle(instruction).lineHeight) || rem * 1.5;
    const height = text.offsetHeight;
    // Whole lines only, so the last visible line is not cut through the middle.
    const keep = Math.max(Math.min(height, MIN_TEXT_LINES * line), Math.floor((height - excess) / line) * line);
    if (keep < height) text.style.maxHeight = Math.floor(keep) + 'px';
    if (text.scrollHeight > text.clientHeight + 1) {
      text.classList.add('is-scrolling');
      // A scrolling box is reachable by keyboard and named for screen readers.
      text.setAttribute('tabindex', '0');
      text.setAttribute('role', 'region');
      text.setAttribute('aria-label', 'Step instruction');
      text.scrollTop = 0;
      paintMore();
    }
  }
  window.addEventListener('resize', fit);
  if (window.visualViewport) window.visualViewport.addEventListener('resize', fit);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(fit);

  function setToggle() {
    const button = $('[data-toggle]');
    const fresh = state.remaining === steps[state.index].seconds * 1000;
    button.textContent = state.running ? 'Pause' : (fresh && steps[state.index].optional ? 'Start step' : 'Resume');
    root.classList.toggle('is-paused', !state.running);
    fit(); // "Start step" may wrap and make the dock taller
  }

  /* ---------- Running ---------- */
  function run() {
    if (state.running) return;
    state.running = true;
    state.last = performance.now();
    state.timer = window.setInterval(tick, tickMs);
    keepAwake();
    setToggle();
  }

  function stopTimer() {
    if (state.running) {
      window.clearInterval(state.timer);
      state.running = false;
    }
  }

  function pause() {
    stopTimer();
    letSleep();
    if (window.speechSynthesis) window.speechSynthesis.cancel();
    setToggle();
  }

  function tick() {
    const now = performance.now();
    state.remaining -= (now - state.last) * speed;
    state.last = now;
    if (state.remaining <= 0) {
      state.done[steps[state.index].position] = true;
      advance();
    } else {
      render();
    }
  }

  // An optional step waits for "Start step"; "Skip" passes it.
  function goTo(index) {
    stopTimer(); // the wake lock stays through a step change
    state.index = index;
    state.remaining = steps[index].seconds * 1000;
    const step = steps[index];
    renderStep();
    cue(step);
    announce('Step ' + (index + 1) + ' of ' + steps.length + ': ' + step.title + '. ' + step.instruction +
      (step.optional ? ' Optional: start it or skip it.' : ''));
    if (step.optional) { letSleep(); setToggle(); } else run();
  }

  function advance() {
    if (state.index + 1 < steps.length) goTo(state.index + 1);
    else finish(true);
  }

  function start() {
    state.startedAt = new Date().toISOString();
    showPanel('run');
    window.scrollTo(0, 0); // the step begins at the top, the countdown above the dock
    goTo(0);
  }

  $('[data-toggle]').addEventListener('click', function () {
    if (state.running) pause(); else run();
  });
  $('[data-back]').addEventListener('click', function () { goTo(Math.max(0, state.index - 1)); });
  $('[data-skip]').addEventListener('click', advance);

  /* ---------- Stop ---------- */
  const dialog = $('[data-stop-dialog]');
  const choices = dialog.querySelector('[data-stop-choices]');
  const alarm = dialog.querySelector('[data-stop-alarm]');
  let wasRunning = false;
  function setGroup(toggle, open) {
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    document.getElementById(toggle.getAttribute('aria-controls')).hidden = !open;
  }
  const groupToggles = dialog.querySelectorAll('[data-stop-group]');
  groupToggles.forEach(function (toggle) {
    toggle.addEventListener('click', function () {
      setGroup(toggle, toggle.getAttribute('aria-expanded') !== 'true');
    });
  });
  $('[data-stop]').addEventListener('click', function () {
    wasRunning = state.running;
    pause();
    groupToggles.forEach(function (toggle) { setGroup(toggle, false); }); // each opening starts folded
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute('open', '');
  });
  function closeDialog() {
    if (dialog.close) dialog.close(); else dialog.removeAttribute('open');
  }
  dialog.addEventListener('cancel', function (event) {
    if (!alarm.hidden) { event.preventDefault(); return; } // the emergency link stays until it is followed
    if (wasRunning) run(); // Escape: keep going
  });
  $('[data-stop-cancel]').addEventListener('click', function () {
    closeDialog();
    if (wasRunning) run();
  });
  dialog.querySelectorAll('[data-stop-code]').forEach(function (button) {
    button.addEventListener('click', function () {
      state.stopReason = button.getAttribute('data-stop-code');
      state.stopAndLog = button.hasAttribute('data-stop-and-log');
      if (button.hasAttribute('data-emergency')) {
        alarming(button);
        return;
      }
      closeDialog();
      finish(false);
    });
  });

  // An alarming answer: the emergency link first, at once and before anything else is asked; then the session
  // and the symptom are kept (the outbox, so offline too) and the emergency screen opens.
  function alarming(button) {
    const code = button.getAttribute('data-stop-code');
    const url = root.getAttribute('data-emergency-url') + '?' + new URLSearchParams({ reason: code }).toString();
    const link = alarm.querySelector('[data-emergency-link]');
    link.href = url;
    alarm.querySelector('[data-alarm-reason]').textContent = button.textContent.trim();
    choices.hidden = true;
    alarm.hidden = false;
    alarm.querySelector('[data-emergency-link]').focus();
    announce('Go to the emergency screen now.');
    let left = false;
    link.addEventListener('click', function () { left = true; });
    const saved = Promise.all([record(false), saveOnSpasm(code)]);
    const status = alarm.querySelector('[data-alarm-saved]');
    saved.then(function (items) {
      status.textContent = items[1] ? 'Saved on this spasm\'s log.' : 'This phone could not save it: tell the doctor what happened.';
      const ids = items.filter(Boolean).map(function (item) { return item.id; });
      // A moment for the items to reach the server (the emergency screen does not send the outbox); offline,
      // they wait on this phone and go from the next page of the app.
      const sent = ids.length ? window.CoachOutbox.flush({ ids: ids }).catch(function () {}) : Promise.resolve();
      return Promise.race([sent, new Promise(function (resolve) { window.setTimeout(resolve, 2000); })]);
    }).then(function () {
      if (!left) window.location.assign(url);
    });
  }

  // Contract 6: the spasm this phone is in (written by SOS). Within 24 h the symptom joins that spasm's log;
  // otherwise this stop begins a new one. The upsert goes through the outbox (contract 5).
  const SPASM_KEY = 'coach:spasm';
  const SPASM_HOURS = 24;
  function currentSpasm() {
    let spasm = null;
    try { spasm = JSON.parse(window.localStorage.getItem(SPASM_KEY) || 'null'); } catch (err) { spasm = null; }
    const fresh = spasm && typeof spasm.client_id === 'string' && typeof spasm.started_at === 'string' &&
      typeof spasm.saved_at === 'number' && Date.now() - spasm.saved_at < SPASM_HOURS * 3600 * 1000;
    if (fresh) return spasm;
    spasm = { client_id: uuid(), started_at: state.startedAt || new Date().toISOString(), saved_at: Date.now() };
    try { window.localStorage.setItem(SPASM_KEY, JSON.stringify(spasm)); } catch (err) { /* kept in the item */ }
    return spasm;
  }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  async function saveOnSpasm(code) {
    try {
      const spasm = currentSpasm();
      return await window.CoachOutbox.add('episode', '/api/v1/episodes/by-client/' + encodeURIComponent(spasm.client_id),
        { started_at: spasm.started_at, symptoms: [code] }, { method: 'PUT' });
    } catch (err) {
      return null;
    }
  }

  /* ---------- Finish: pain after, record, summary ---------- */
  // Reaching the end counts as completing the routine only when a step's countdown ran out on the way:
  // with every step skipped, nothing was done, and neither the screen nor the record says otherwise.
  function finish(reachedEnd) {
    pause();
    state.allSkipped = reachedEnd && !Object.keys(state.done).length;
    const completed = reachedEnd && !state.allSkipped;
    state.completed = completed;
    const title = completed ? 'Well done' : (state.allSkipped ? 'You skipped every step' : 'Stopped');
    $('[data-finish-title]').textContent = title;
    showPanel('finish');
    $('[data-finish-title]').focus();
    announce((completed ? 'Routine complete.' : title + '.') + ' How bad is the pain now?');
    if (completed) cue({ title: 'Done', instruction: 'Routine complete.' });
  }

  function sessionBody(completed) {
    const body = {
      routine: root.getAttribute('data-slug'),
      started_at: state.startedAt,
      ended_at: new Date().toISOString(),
      completed: completed,
      completed_steps: Object.keys(state.done).map(Number).sort(function (a, b) { return a - b; }),
      pain_before: state.painBefore,
      pain_after: state.painAfter,
    };
    if (!completed) body.stop_reason = state.stopReason;
    // Played from an assignment: which one, and the version it plays (what adherence counts).
    if (root.hasAttribute('data-assignment-id')) {
      body.assignment_id = Number(root.getAttribute('data-assignment-id'));
      body.routine_version = Number(root.getAttribute('data-routine-version'));
    }
    return body;
  }

  async function record(completed) {
    if (state.recorded || preview) return null;
    state.recorded = true;
    try {
      const item = await window.CoachOutbox.add('session', '/api/v1/sessions', sessionBody(completed));
      window.CoachOutbox.flush({ ids: [item.id] }).then(function () {
        if (window.CoachRelief) window.CoachRelief.refresh();
      });
      return item;
    } catch (err) {
      return null;
    }
  }

  async function summarise() {
    const item = await record(state.completed);
    const doneCount = Object.keys(state.done).length;
    $('[data-summary-title]').textContent = state.completed ? 'Session saved'
      : (state.allSkipped ? 'No step done' : 'Stopped and logged');
    let text = state.allSkipped ? 'You skipped every step, so no step is counted as done.'
      : 'You did ' + doneCount + ' of ' + steps.length + ' steps.';
    if (state.painBefore !== null && state.painAfter !== null) text += ' Pain ' + state.painBefore + ' before, ' + state.painAfter + ' now.';
    if (preview) {
      $('[data-summary-title]').textContent = 'Preview finished';
      text += ' Nothing was recorded: this was a preview.';
    } else if (!item) text += ' This phone could not store the session.';
    $('[data-summary-text]').textContent = text;
    $('[data-pain-up]').hidden = !(state.painBefore !== null && state.painAfter !== null && state.painAfter - state.painBefore >= 2);
    $('[data-signin-hint]').hidden = !(item && item.owner === null);
    // A stop-and-log rule: the person adds what happened to the episode, so the triage rules see it.
    $('[data-add-what-happened]').hidden = !(state.stopAndLog && item && item.owner !== null);
    showPanel('summary');
    $('[data-summary-title]').focus();
  }

  // Leaving mid-routine (another tab of the app, back, closing) still keeps what was done: the session
  // is stashed for the outbox as not completed, and sent from the next page of the app.
  // Only once a step has been done: a routine opened and left at once (or restarted by a reload) is no session.
  window.addEventListener('pagehide', function () {
    if (preview || !state.startedAt || state.recorded || !Object.keys(state.done).length) return;
    state.recorded = true;
    window.CoachOutbox.stash('session', '/api/v1/sessions', sessionBody(state.completed));
  });

  window.CoachRelief.scale($('#pain-after'), function (value) {
    state.painAfter = value;
    summarise();
  });
  $('[data-finish-skip]').addEventListener('click', summarise);

  /* ---------- Start ---------- */
  window.CoachRelief.scale($('#pain-before'), function (value) { state.painBefore = value; });
  $('[data-start]').hidden = false;
  $('[data-start]').addEventListener('click', start);
  // The first tap on the page also unlocks sound on phones that need a gesture for it.
  root.addEventListener('click', function () { if (audio && audio.state === 'suspended') audio.resume().catch(function () {}); });

  if (params.get('from') === 'sos') {
    start(); // SOS has shown the safety check: relief starts at once
    // No intro on this path, so the stop rules open below the first step (the person can fold them away).
    const rules = root.querySelector('[data-panel="run"] details.stop-rules');
    if (rules) rules.open = true;
    // A reload later (or Back to this page) shows the intro instead of silently starting a second session.
    params.delete('from');
    const query = params.toString();
    history.replaceState(history.state, '', window.location.pathname + (query ? '?' + query : '') + window.location.hash);
  } else if (!window.CoachSafety || !window.CoachSafety.checkedRecently()) {
    askSafety(); // no safety-check answer on this phone from the last 12 hours (CONTENT.md section 0)
  } else {
    showPanel('intro');
  }

  /* ---------- The safety check before the routine (safety.js, shared with SOS) ----------
   * Shown before the intro when this phone has no "No to all of these" from the last 12 hours. A "Yes" is saved on
   * this phone's spasm (contract 6, like an emergency stop reason) and opens the emergency screen; "No to all" is
   * remembered and shows the intro (Start); a tick of the urgent line is saved at once and its advice then stands
   * above the routine. */
  function askSafety() {
    const section = panels.safety;
    showPanel('safety');
    const noToAll = section.querySelector('[data-safety-all-no]');
    if (!window.CoachSafety) { // safety.js did not load: the links still work, and "No to all" opens the intro
      noToAll.addEventListener('click', function (event) { event.preventDefault(); showPanel('intro'); });
      return;
    }
    const ticked = [];
    let leaving = false;
    const check = window.CoachSafety.bind(section, {
      saveEpisode: function (fields) {
        const spasm = currentSpasm();
        return window.CoachOutbox.add('episode', '/api/v1/episodes/by-client/' + encodeURIComponent(spasm.client_id),
          Object.assign({ started_at: spasm.started_at }, fields), { method: 'PUT' });
      },
      urgent: function () { return ticked; },
      onTicked: function (key) { ticked.push(key); },
      onYes: function () { if (leaving) return false; leaving = true; return true; },
      onAllNo: function (event) {
        event.preventDefault();
        showPanel('intro');
        window.scrollTo(0, 0);
        if (ticked.length) showUrgentAdvice(check.tickedLabels());
      },
    });
    // Back to this page from the emergency screen (back/forward cache): ask again from a fresh page.
    window.addEventListener('pageshow', function (event) {
      if (event.persisted && leaving) window.location.reload();
    });
  }

  // The urgent advice in the wording of the country this phone knows, with what was ticked, above Start.
  function showUrgentAdvice(reasons) {
    const card = $('[data-check-urgent]');
    window.CoachSafety.fillUrgent(card, root.getAttribute('data-urgent-advice'), root.getAttribute('data-country'), reasons);
    card.hidden = false;
    card.querySelector('h2').focus();
  }
})();
