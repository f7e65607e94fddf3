// The guided session: the clock runs here, on the device; the server hears only events
// (start, pause, resume, skip, finish, stop, the pain stop, how it felt) and answers with
// where the session stands, which the clock then follows.
"use strict";

(function () {
  const A = window.App;
  const $ = function (id) { return document.getElementById(id); };
  const RING = 2 * Math.PI * 54;

  let technique = null;   // the running technique: name, steps, timings, picture
  let session = null;     // the session as the server last reported it
  let mark = null;        // {elapsed, at}: the server's elapsed seconds, and when we heard it
  let shownStep = -1;
  let ticker = null;
  let wakeLock = null;
  let finishing = false;
  let voice = null;

  function wanted() {
    const asked = new URLSearchParams(window.location.search).get("technique");
    if (asked) return asked;
    const unsafe = A.tg && A.tg.initDataUnsafe;  // a hint only: the server checks everything
    return (unsafe && unsafe.start_param) || "";
  }

  async function load(techniqueId) {
    A.show("loading");
    let state;
    try {
      state = await A.api("GET", "api/state?technique=" + encodeURIComponent(techniqueId || ""));
    } catch (error) {
      return problem(error);
    }
    A.setWords(state.text, state.language);
    $("urgent-text").textContent = state.urgent;
    setUpSpeech(state.language);
    const active = state.session;
    if (active && !active.in_chat && active.detail) return run(active);
    if (state.held) return held(state.held);
    if (state.technique) return ready(state.technique, active);
    choose(state.techniques, active);
  }

  async function problem(error) {
    const key = error && error.status === 401 ? "open_in_telegram" : "offline";
    if (!A.word(key)) {
      // Refused before any words came: the page's own words need no launch data.
      const language = /^zh/i.test(navigator.language || "") ? "zh" : "en";
      try {
        const found = await A.api("GET", "api/words/" + language);
        A.setWords(found.text, language);
      } catch (e) { /* the bot is out of reach: the key is all there is */ }
    }
    $("problem-text").textContent = A.word(key) || key;
    $("retry").textContent = A.word("retry") || "↻";
    A.show("problem");
  }

  function held(text) {
    $("held-text").textContent = text;
    A.show("held");
    $("urgent").hidden = false;
    A.haptic("warning");
  }

  function choose(techniques, active) {
    const list = $("technique-list");
    list.replaceChildren();
    techniques.forEach(function (item) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "big secondary";
      button.textContent = item.name;
      button.addEventListener("click", function () { load(item.id); });
      const entry = document.createElement("li");
      entry.appendChild(button);
      list.appendChild(entry);
    });
    A.show("choose");
  }

  function ready(detail, active) {
    technique = detail;
    $("ready-name").textContent = detail.name;
    picture($("ready-picture"), detail);
    const steps = $("ready-steps");
    steps.replaceChildren();
    detail.steps.forEach(function (text) {
      const item = document.createElement("li");
      item.textContent = text;
      steps.appendChild(item);
    });
    const busy = !!(active && active.in_chat);
    $("in-chat").hidden = !busy;
    $("start").disabled = busy;
    A.show("ready");
  }

  function picture(element, detail) {
    element.src = new URL(detail.picture, A.base).href;
    element.alt = A.word("picture", { technique: detail.name });
  }

  async function start() {
    $("start").disabled = true;
    try {
      const answer = await A.api("POST", "api/sessions", { technique: technique.id });
      run(answer.session);
    } catch (error) {
      $("start").disabled = false;
      const body = error.body || {};
      if (error.status === 403 && body.held) return held(body.held);
      if (error.status === 409 && body.session && !body.session.in_chat) return run(body.session);
      if (error.status === 409) { $("in-chat").hidden = false; $("start").disabled = true; return; }
      problem(error);
    }
  }

  function run(found) {
    technique = found.detail;
    $("technique-name").textContent = technique.name;
    picture($("picture"), technique);
    shownStep = -1;
    A.show("session");
    follow(found);
  }

  // Take the server's word for where the session stands, and run the clock from there.
  function follow(found) {
    session = found;
    mark = { elapsed: found.elapsed, at: Date.now() };
    const running = found.state === "running";
    const paused = found.state === "paused";
    if (!running && !paused) return end(found);
    $("pause").hidden = !running;
    $("skip").hidden = !running;
    $("resume").hidden = !paused;
    $("paused-note").hidden = !paused;
    A.holdSwipes(true);
    if (running) keepScreenOn(); else letScreenSleep();
    if (!ticker) ticker = setInterval(tick, A.reducedMotion() ? 1000 : 200);
    tick();
  }

  function elapsed() {
    if (!session || session.state !== "running") return mark.elapsed;
    return mark.elapsed + (Date.now() - mark.at) / 1000;
  }

  // The step and time left after ``seconds`` (storage/session.py's position, here).
  function position(timings, seconds) {
    const total = timings.reduce(function (a, b) { return a + b; }, 0);
    if (seconds >= total) return { step: timings.length - 1, left: 0, total: 0, finished: true };
    let start = 0;
    for (let step = 0; step < timings.length; step++) {
      const end = start + timings[step];
      if (seconds < end) return { step: step, left: end - seconds, total: total - seconds, finished: false };
      start = end;
    }
  }

  function clock(seconds) {
    const whole = Math.max(0, Math.ceil(seconds - 1e-6));
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  function tick() {
    if (!session) return;
    const where = position(technique.timings, elapsed());
    if (where.finished && session.state === "running") finish();
    const steps = technique.steps;
    if (where.step !== shownStep) {
      $("step-text").textContent = steps[where.step];
      $("step-of").textContent = A.word("step_of", { step: where.step + 1, steps: steps.length });
      $("next").textContent = where.step + 1 < steps.length
        ? A.word("session_next", { step_text: steps[where.step + 1] })
        : A.word("session_next_last");
      if (shownStep >= 0) { A.haptic("step"); speak(steps[where.step]); }
      shownStep = where.step;
    }
    $("paused-note").textContent = A.word("session_paused");
    const length = technique.timings[where.step];
    $("ring").setAttribute("stroke-dashoffset", String(RING * (1 - where.left / length)));
    $("clock").textContent = clock(where.left);
    $("ring-box").setAttribute("aria-label", A.word("time_left", { time: clock(where.left) }));
    $("total").textContent = A.word("total_left", { technique: technique.name, time: clock(where.total) });
  }

  async function act(action) {
    if (!session) return;
    try {
      const answer = await A.api("POST", "api/sessions/" + session.id + "/" + action);
      if (action === "pain") return painStopped(answer);
      if (answer.held) { stopClock(); return held(A.word("session_held_resume") + "\n\n" + answer.held); }
      follow(answer.session);
    } catch (error) {
      const body = error.body || {};
      if (action === "pain") return painStopped({ urgent: null });
      if (body.session) return follow(body.session);
      problem(error);
    }
  }

  async function finish() {
    if (finishing) return;
    finishing = true;
    try {
      const answer = await A.api("POST", "api/sessions/" + session.id + "/finish");
      follow(answer.session);
    } catch (error) {
      if (error.body && error.body.session) follow(error.body.session);
    } finally {
      setTimeout(function () { finishing = false; }, 1000);
    }
  }

  function painStopped(answer) {
    stopClock();
    A.haptic("warning");
    if (answer.urgent) $("urgent-text").textContent = answer.urgent;
    $("end-text").textContent = A.word("session_pain_stop");
    $("feelings").hidden = true;
    $("felt").hidden = true;
    $("again").hidden = true;
    A.show("end");
    $("urgent").hidden = false;
  }

  function end(found) {
    stopClock();
    const where = position(technique.timings, found.elapsed);
    $("feelings").hidden = true;
    $("felt").hidden = true;
    $("again").hidden = false;
    if (found.state === "done") {
      A.haptic("success");
      $("end-text").textContent = A.word("session_done", { technique: technique.name });
      $("feelings").hidden = !!found.feeling;
    } else if (found.state === "stopped") {
      $("end-text").textContent = A.word("session_stopped", { step: where.step + 1, steps: technique.steps.length });
    } else if (found.state === "pain_stop") {
      return painStopped({ urgent: null });
    } else {
      $("end-text").textContent = A.word("session_ended");
    }
    A.show("end");
  }

  async function feel(feeling) {
    try {
      const answer = await A.api("POST", "api/sessions/" + session.id + "/feeling", { feeling: feeling });
      session = answer.session;
    } catch (error) {
      if (!(error.body && error.body.session)) return problem(error);
    }
    $("feelings").hidden = true;
    $("felt").textContent = A.word("session_felt_" + feeling);
    $("felt").hidden = false;
    if (feeling === "worse") { $("urgent").hidden = false; $("again").hidden = true; }
  }

  function stopClock() {
    if (ticker) clearInterval(ticker);
    ticker = null;
    letScreenSleep();
    A.holdSwipes(false);
    if (window.speechSynthesis) window.speechSynthesis.cancel();
  }

  // The screen stays on while a session runs: released on pause and at the end.
  async function keepScreenOn() {
    if (wakeLock || !("wakeLock" in navigator)) return;
    try {
      wakeLock = await navigator.wakeLock.request("screen");
      wakeLock.addEventListener("release", function () { wakeLock = null; });
    } catch (e) { wakeLock = null; }
  }
  function letScreenSleep() {
    if (wakeLock) { wakeLock.release().catch(function () {}); wakeLock = null; }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && session && session.state === "running" && ticker) keepScreenOn();
  });

  // Spoken steps, off by default; the switch only shows where the device has a voice.
  function setUpSpeech(language) {
    const synth = window.speechSynthesis;
    if (!synth) return;
    const prefix = language === "zh" ? "zh" : "en";
    function pick() {
      const voices = synth.getVoices() || [];
      voice = voices.find(function (v) { return v.lang && v.lang.toLowerCase().startsWith(prefix); }) || null;
      $("speak-row").hidden = !voice;
    }
    pick();
    synth.addEventListener && synth.addEventListener("voiceschanged", pick);
  }
  function speak(text) {
    if (!voice || !$("speak").checked) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
  }

  $("start").addEventListener("click", start);
  ["pause", "resume", "skip", "stop", "pain"].forEach(function (action) {
    $(action).addEventListener("click", function () { act(action); });
  });
  document.querySelectorAll("[data-feeling]").forEach(function (button) {
    button.addEventListener("click", function () { feel(button.getAttribute("data-feeling")); });
  });
  $("again").addEventListener("click", function () {
    $("urgent").hidden = true;
    load(technique ? technique.id : wanted());
  });
  $("close").addEventListener("click", A.close);
  $("retry").addEventListener("click", function () { load(wanted()); });
  $("speak").addEventListener("change", function () {
    if (!$("speak").checked && window.speechSynthesis) window.speechSynthesis.cancel();
  });

  // Button labels are the chat's own, set once the words have come.
  const labels = { pause: "session_pause", resume: "session_resume", skip: "session_skip", stop: "session_stop", pain: "session_pain" };
  const setWords = A.setWords;
  A.setWords = function (found, language) {
    setWords(found, language);
    for (const id in labels) $(id).textContent = A.word(labels[id]);
    document.querySelectorAll("[data-feeling]").forEach(function (button) {
      button.textContent = A.word("session_" + button.getAttribute("data-feeling"));
    });
  };

  load(wanted());
})();
