// The progress page: check-ins drawn as a chart (SVG, here), this week's sessions and how
// they felt, whether massage is allowed now, and the PDF record sent into the chat.
"use strict";

(function () {
  const A = window.App;
  const $ = function (id) { return document.getElementById(id); };
  const SVG = "http://www.w3.org/2000/svg";
  const W = 340, H = 190, LEFT = 28, RIGHT = 8, TOP = 10, BOTTOM = 24;
  let days = 30;

  async function load() {
    A.show("loading");
    let data;
    try {
      data = await A.api("GET", "api/progress?days=" + days);
    } catch (error) {
      return problem(error);
    }
    A.setWords(data.text, data.language);
    $("checkins-title").textContent = A.word("checkins_title", { days: data.days });
    document.querySelectorAll("[data-days]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(Number(button.getAttribute("data-days")) === data.days));
    });
    chart(data);
    week(data.week);
    $("safety").textContent = data.held || A.word("allowed");
    $("urgent-text").textContent = data.urgent;
    $("urgent").hidden = !data.held;
    $("report").hidden = !data.report;
    A.show("progress");
    if (data.held) $("urgent").hidden = false;
  }

  async function problem(error) {
    const key = error && error.status === 401 ? "open_in_telegram" : "offline";
    if (!A.word(key)) {
      const language = /^zh/i.test(navigator.language || "") ? "zh" : "en";
      try { A.setWords((await A.api("GET", "api/words/" + language)).text, language); } catch (e) { /* */ }
    }
    $("problem-text").textContent = A.word(key) || key;
    $("retry").textContent = A.word("retry") || "↻";
    A.show("problem");
  }

  function element(name, attributes, text) {
    const made = document.createElementNS(SVG, name);
    for (const key in attributes) made.setAttribute(key, String(attributes[key]));
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function chart(data) {
    const svg = $("chart");
    svg.replaceChildren();
    const today = new Date(data.today + "T00:00:00Z");
    const first = today.getTime() - (data.days - 1) * 86400000;
    const x = function (day) {
      const at = new Date(day + "T00:00:00Z").getTime();
      return LEFT + (W - LEFT - RIGHT) * (at - first) / Math.max(1, (data.days - 1) * 86400000);
    };
    const y = function (score) { return TOP + (H - TOP - BOTTOM) * (1 - score / 10); };
    [0, 5, 10].forEach(function (score) {
      svg.appendChild(element("line", { x1: LEFT, x2: W - RIGHT, y1: y(score), y2: y(score), class: "grid" }));
      svg.appendChild(element("text", { x: LEFT - 6, y: y(score) + 4, class: "axis", "text-anchor": "end" }, String(score)));
    });
    // Dates as the server writes them in the user's language ("7 Dec", "12月7日").
    svg.appendChild(element("text", { x: LEFT, y: H - 6, class: "axis" }, data.first_label));
    svg.appendChild(element("text", { x: W - RIGHT, y: H - 6, class: "axis", "text-anchor": "end" }, data.today_label));
    const points = data.checkins.map(function (c) { return x(c.date).toFixed(1) + "," + y(c.score).toFixed(1); });
    if (points.length > 1) svg.appendChild(element("polyline", { points: points.join(" "), class: "line" }));
    data.checkins.forEach(function (c) {
      svg.appendChild(element("circle", { cx: x(c.date), cy: y(c.score), r: 4, class: "dot" }));
    });
    const scores = data.checkins.map(function (c) { return c.label + ": " + c.score; }).join(", ");
    svg.setAttribute("aria-label", A.word("chart_label", { scores: scores || "—" }));
    $("no-checkins").hidden = data.checkins.length > 0;
  }

  function week(sessions) {
    const list = $("week");
    list.replaceChildren();
    sessions.forEach(function (s) {
      const item = document.createElement("li");
      let text = A.word("week_item", { date: s.label, technique: s.technique, outcome: s.outcome });
      if (s.feeling) text += " · " + A.word("felt", { feeling: s.feeling });
      item.textContent = text;
      list.appendChild(item);
    });
    $("no-sessions").hidden = sessions.length > 0;
  }

  document.querySelectorAll("[data-days]").forEach(function (button) {
    button.addEventListener("click", function () {
      days = Number(button.getAttribute("data-days"));
      load();
    });
  });
  $("report").addEventListener("click", async function () {
    $("report").disabled = true;
    try {
      await A.api("POST", "api/report", { days: days });
      $("report-sent").hidden = false;
      A.haptic("success");
    } catch (error) {
      problem(error);
    } finally {
      $("report").disabled = false;
    }
  });
  $("retry").addEventListener("click", load);
  load();
})();
