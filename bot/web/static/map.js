// The acupoint map: the overview picture, zoomable with two buttons (and scrolled by hand
// when larger than the screen), the points listed beside it, and apart from them the points
// never to press, each with its warning.
"use strict";

(function () {
  const A = window.App;
  const $ = function (id) { return document.getElementById(id); };
  const LEVELS = [1, 1.5, 2, 3];
  let level = 0;

  async function load() {
    A.show("loading");
    let data;
    try {
      data = await A.api("GET", "api/map");
    } catch (error) {
      return problem(error);
    }
    A.setWords(data.text, data.language);
    $("map-title").textContent = data.title;
    const picture = $("map-picture");
    picture.src = new URL(data.picture, A.base).href;
    picture.alt = A.word("map_picture");
    list($("dont-press"), data.dont_press, true);
    list($("points"), data.points, false);
    $("notes").textContent = data.notes.join("\n");
    $("urgent-text").textContent = data.urgent;
    zoom(0);
    A.show("map");
    $("urgent").hidden = false;
  }

  // A point's name with its code, unless the name already carries it ("Mingmen (GV4)").
  function named(point) {
    return point.name.indexOf(point.code) >= 0 ? point.name : point.name + " (" + point.code + ")";
  }

  function list(element, points, warn) {
    element.replaceChildren();
    points.forEach(function (point) {
      const item = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = named(point);
      item.appendChild(name);
      if (warn) {
        const warning = document.createElement("span");
        warning.className = "warning";
        warning.textContent = point.warning;
        item.appendChild(document.createElement("br"));
        item.appendChild(warning);
      }
      element.appendChild(item);
    });
  }

  function zoom(to) {
    const viewport = $("viewport");
    // Keep the middle of what is shown in the middle.
    const middleX = (viewport.scrollLeft + viewport.clientWidth / 2) / Math.max(1, viewport.scrollWidth);
    const middleY = (viewport.scrollTop + viewport.clientHeight / 2) / Math.max(1, viewport.scrollHeight);
    level = Math.max(0, Math.min(LEVELS.length - 1, to));
    $("map-picture").style.width = (LEVELS[level] * 100) + "%";
    viewport.scrollLeft = middleX * viewport.scrollWidth - viewport.clientWidth / 2;
    viewport.scrollTop = middleY * viewport.scrollHeight - viewport.clientHeight / 2;
    $("zoom-out").disabled = level === 0;
    $("zoom-in").disabled = level === LEVELS.length - 1;
    $("zoom-level").textContent = A.word("zoom_level", { percent: Math.round(LEVELS[level] * 100) });
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

  $("zoom-in").addEventListener("click", function () { zoom(level + 1); A.haptic("light"); });
  $("zoom-out").addEventListener("click", function () { zoom(level - 1); A.haptic("light"); });
  $("retry").addEventListener("click", load);
  load();
})();
