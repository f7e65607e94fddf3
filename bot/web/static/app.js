// What every page of the Mini App shares: Telegram's WebApp object (or plain browser
// behaviour without it), the launch data sent with every API call, the theme, haptics,
// and the words of the page in the user's language.
"use strict";

window.App = (function () {
  const tg = (window.Telegram && window.Telegram.WebApp) || null;
  const base = new URL(".", document.currentScript.src);

  // The launch data: Telegram's script reads it from the address's #tgWebAppData; without
  // the script (chat mode on a desktop, or telegram.org out of reach) the page does.
  function launchData() {
    if (tg && tg.initData) return tg.initData;
    const hash = new URLSearchParams(window.location.hash.slice(1));
    const found = hash.get("tgWebAppData");
    if (found) {
      try { sessionStorage.setItem("tgWebAppData", found); } catch (e) { /* private mode */ }
      return found;
    }
    try { return sessionStorage.getItem("tgWebAppData") || ""; } catch (e) { return ""; }
  }
  const initData = launchData();

  class ApiError extends Error {
    constructor(status, body) {
      super("HTTP " + status);
      this.status = status;
      this.body = body || {};
    }
  }

  async function api(method, path, body) {
    const options = {
      method: method,
      headers: { "Authorization": "tma " + initData },
      credentials: "omit",
      cache: "no-store",
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(new URL(path, base), options);
    } catch (e) {
      throw new ApiError(0, { error: "offline" });
    }
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  // Telegram's theme when it gives one, live on themeChanged; else the device's scheme.
  const THEME = {
    bg_color: "--bg",
    text_color: "--text",
    hint_color: "--hint",
    secondary_bg_color: "--card",
    button_color: "--button",
    button_text_color: "--button-text",
  };
  // WCAG's contrast ratio of two #rgb or #rrggbb colours (null when one is neither).
  function rgbOf(hex) {
    let digits = hex.slice(1);
    if (digits.length === 3) digits = digits.replace(/./g, "$&$&");
    if (digits.length !== 6) return null;
    return [0, 2, 4].map(function (at) { return parseInt(digits.slice(at, at + 2), 16) / 255; });
  }
  function luminance(channels) {
    const linear = channels.map(function (v) {
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  }
  function contrast(a, b) {
    const x = rgbOf(a), y = rgbOf(b);
    if (!x || !y) return 0;
    const [hi, lo] = [luminance(x), luminance(y)].sort(function (p, q) { return q - p; });
    return (hi + 0.05) / (lo + 0.05);
  }
  // Text on its background must reach WCAG AA (4.5:1): a theme's pair that does not is left
  // out, and the page's own colours for the scheme (which do) stay for it.
  const AA = 4.5;
  function applyTheme() {
    if (!tg) return;
    const root = document.documentElement;
    if (tg.colorScheme) root.setAttribute("data-scheme", tg.colorScheme);
    const params = tg.themeParams || {};
    const given = {};
    for (const key in THEME) {
      const value = params[key];
      if (typeof value === "string" && /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(value)) {
        given[key] = value;
      }
      root.style.removeProperty(THEME[key]);
    }
    const own = function (variable) {
      return getComputedStyle(root).getPropertyValue(variable).trim();
    };
    const set = function (key) { root.style.setProperty(THEME[key], given[key]); };
    if (given.bg_color && given.text_color && contrast(given.text_color, given.bg_color) >= AA) {
      set("bg_color");
      set("text_color");
      if (given.secondary_bg_color && contrast(given.text_color, given.secondary_bg_color) >= AA) {
        set("secondary_bg_color");
      }
    }
    if (given.hint_color && contrast(given.hint_color, own("--bg")) >= AA &&
        contrast(given.hint_color, own("--card")) >= AA) {
      set("hint_color");
    }
    if (given.button_color && given.button_text_color &&
        contrast(given.button_text_color, given.button_color) >= AA) {
      set("button_color");
      set("button_text_color");
    }
  }

  function haptic(kind) {
    try {
      if (!tg || !tg.HapticFeedback) return;
      if (kind === "warning" || kind === "success") tg.HapticFeedback.notificationOccurred(kind);
      else tg.HapticFeedback.impactOccurred("light");
    } catch (e) { /* haptics are a nicety */ }
  }

  function versionAtLeast(version) {
    try { return !!(tg && tg.isVersionAtLeast && tg.isVersionAtLeast(version)); } catch (e) { return false; }
  }

  // A swipe must not close the app mid-session (Bot API 7.7).
  function holdSwipes(hold) {
    if (!versionAtLeast("7.7")) return;
    try {
      if (hold) tg.disableVerticalSwipes(); else tg.enableVerticalSwipes();
    } catch (e) { /* older clients */ }
  }

  function close() {
    if (tg && tg.close) tg.close(); else window.history.back();
  }

  // "{name}" placeholders in a page word, filled with plain text.
  function fill(template, values) {
    return String(template).replace(/\{([a-z_]+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  let words = {};
  function setWords(found, language) {
    words = found || {};
    document.documentElement.lang = language === "zh" ? "zh-Hans" : "en";
    document.querySelectorAll("[data-text]").forEach(function (element) {
      const key = element.getAttribute("data-text");
      if (words[key] !== undefined) element.textContent = words[key];
    });
    if (words.title) document.title = words.title;
  }
  function word(key, values) { return fill(words[key] || "", values || {}); }

  function show(id) {
    document.querySelectorAll("main > section, #loading").forEach(function (element) {
      if (element.id !== "urgent") element.hidden = element.id !== id;
    });
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  if (tg) {
    try {
      tg.ready();
      tg.expand();
      tg.onEvent("themeChanged", applyTheme);
    } catch (e) { /* a client without these still shows the page */ }
    applyTheme();
  }

  return {
    tg: tg, base: base, initData: initData, api: api, ApiError: ApiError, haptic: haptic,
    holdSwipes: holdSwipes, close: close, fill: fill, setWords: setWords, word: word,
    show: show, reducedMotion: reducedMotion,
  };
})();
