/* The counter kiosk page: one person after another on a shared device.
 *
 * Each rating gets its own random nonce and is kept in IndexedDB until the server
 * has answered it (an enrolled kiosk), so a rating given offline is sent when the
 * connection returns, and a rating sent twice (a lost answer, a retry) is stored
 * once: the server returns the first receipt. After the thank-you screen, and after
 * an idle half-filled form, the page is replaced by a blank one (location.replace:
 * no history entry, no answers left in the DOM); nothing goes to localStorage or
 * sessionStorage, and the form has autocomplete off. Plain JS, no library.
 */
(function () {
  "use strict";

  var DB_NAME = "surveyapp-kiosk";
  var STORE = "queue";
  var CACHE = "surveyapp-kiosk-v1";
  var SEND_WAIT_MS = 4000;
  var FLUSH_EVERY_MS = 30000;

  function openQueue() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "nonce" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(mode, work) {
    return openQueue().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(result && result.result); };
        t.onerror = function () { db.close(); reject(t.error); };
        t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function queued() {
    return tx("readonly", function (store) { return store.getAll(); }).then(function (all) {
      return (all || []).sort(function (a, b) { return a.given_at < b.given_at ? -1 : 1; });
    });
  }

  function keep(record) { return tx("readwrite", function (s) { s.put(record); }); }
  function drop(nonce) { return tx("readwrite", function (s) { s["delete"](nonce); }); }

  function newNonce() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  /* Send one rating. Resolves {kind: "stored"|"refused"|"revoked"|"later", body}. */
  function send(url, record, waitMs) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = null;
    if (controller && waitMs) {
      timer = setTimeout(function () { controller.abort(); }, waitMs);
    }
    var body = {
      token: record.token, nonce: record.nonce, given_at: record.given_at,
      fill_seconds: record.fill_seconds, answers: record.answers,
      code: record.code || null, officer: record.officer || null, website: record.website || ""
    };
    return fetch(record.url || url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) { return { kind: "stored", body: data }; }
        if (data.error === "kiosk_revoked" || data.error === "kiosk_unknown") {
          return { kind: "revoked", body: data };
        }
        if (response.status === 429 || response.status >= 500) {
          return { kind: "later", body: data };
        }
        return { kind: "refused", body: data };
      });
    }, function () {
      return { kind: "later", body: {} };
    }).then(function (outcome) {
      if (timer) { clearTimeout(timer); }
      return outcome;
    });
  }

  function show(id) {
    ["k-form-view", "k-thanks", "k-error"].forEach(function (other) {
      var el = document.getElementById(other);
      if (el) { el.hidden = other !== id; }
    });
    var shown = document.getElementById(id);
    if (shown && id !== "k-form-view") { shown.focus(); }
  }

  function showError(message, unsentText) {
    var text = document.getElementById("k-error-msg");
    if (text && message) { text.textContent = message; }
    var unsent = document.getElementById("k-unsent");
    if (unsent) {
      unsent.textContent = unsentText || "";
      unsent.hidden = !unsentText;
    }
    show("k-error");
  }

  /* The problem page of a revoked device: say how many ratings stay unsent. */
  function problemPage(section) {
    if (section.dataset.error !== "kiosk_revoked" && section.dataset.error !== "kiosk_unknown") {
      return;
    }
    if (!("indexedDB" in window)) { return; }
    queued().then(function (all) {
      if (!all.length) { return; }
      var unsent = document.getElementById("k-unsent");
      unsent.textContent = (section.dataset.msgUnsent || "").replace("{n}", String(all.length));
      unsent.hidden = false;
    }, function () {});
  }

  function kioskPage(form) {
    var enrolled = form.dataset.kiosk === "1";
    var base = form.dataset.base;
    var idleMs = Number(form.dataset.idle || 60) * 1000;
    var thanksMs = Number(form.dataset.thanks || 5) * 1000;
    var startedAt = null;
    var idleTimer = null;
    var flushing = false;
    var stopped = false;
    var params = new URLSearchParams(location.search);
    var dossier = document.getElementById("k-dossier");
    if (dossier && params.get("code")) { dossier.value = params.get("code"); }

    function blank() { location.replace(base); }

    function unsentText(count) {
      return count ? form.dataset.msgUnsent.replace("{n}", String(count)) : "";
    }

    function armIdle() {
      if (idleTimer) { clearTimeout(idleTimer); }
      if (startedAt !== null && !stopped) {
        idleTimer = setTimeout(blank, idleMs);
      }
    }

    function touched() {
      if (startedAt === null) { startedAt = Date.now(); }
      armIdle();
    }

    form.addEventListener("input", touched);
    form.addEventListener("change", function () { touched(); applyConditions(); });
    document.addEventListener("pointerdown", function () { if (startedAt !== null) { armIdle(); } });
    document.addEventListener("keydown", function () { if (startedAt !== null) { armIdle(); } });

    function applyConditions() {
      var blocks = form.querySelectorAll("[data-show-if]");
      Array.prototype.forEach.call(blocks, function (block) {
        var values = JSON.parse(block.dataset.showValues || "[]");
        var chosen = form.querySelector("input[name='" + block.dataset.showIf + "']:checked");
        var visible = !!chosen && values.indexOf(chosen.value) >= 0;
        block.hidden = !visible;
        if (!visible) {
          Array.prototype.forEach.call(block.querySelectorAll("input"), function (input) {
            if (input.type === "radio") { input.checked = false; } else { input.value = ""; }
          });
        }
      });
    }
    applyConditions();

    function answers() {
      var out = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name.charAt(0) === "_" || el.disabled) { return; }
        if (el.type === "radio") {
          if (el.checked) { out[el.name] = el.value; }
        } else if (el.type === "text" && el.value.trim()) {
          out[el.name] = el.value.trim();
        }
      });
      return out;
    }

    function missing() {
      var first = null;
      var groups = form.querySelectorAll("fieldset[data-required]");
      Array.prototype.forEach.call(groups, function (group) {
        var answered = !!group.querySelector("input:checked") || group.hidden;
        var note = group.querySelector(".k-err");
        if (note) { note.hidden = answered; }
        group.classList.toggle("bad", !answered);
        if (!answered && !first) { first = group; }
      });
      return first;
    }

    function flush() {
      if (flushing || stopped) { return Promise.resolve(); }
      flushing = true;
      return queued().then(function loop(all) {
        if (!all.length) { return null; }
        var record = all[0];
        return send(form.dataset.post, record, 0).then(function (outcome) {
          if (outcome.kind === "stored" || outcome.kind === "refused") {
            return drop(record.nonce).then(function () { return loop(all.slice(1)); });
          }
          if (outcome.kind === "revoked") {
            stopped = true;
            showError(outcome.body.message, unsentText(all.length));
          }
          return null;
        });
      }).then(function () { flushing = false; }, function () { flushing = false; });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = missing();
      var note = document.getElementById("k-missing");
      note.hidden = !first;
      if (first) {
        var input = first.querySelector("input");
        if (input) { input.focus(); }
        return;
      }
      var now = Date.now();
      var record = {
        nonce: newNonce(),
        url: form.dataset.post,
        given_at: new Date(now).toISOString(),
        fill_seconds: startedAt === null ? 0 : (now - startedAt) / 1000,
        answers: answers(),
        code: dossier ? dossier.value.trim() : null,
        officer: form.dataset.officer || null,
        token: form.elements._token.value,
        website: form.elements._website.value
      };
      var button = form.querySelector(".k-send");
      button.disabled = true;
      if (idleTimer) { clearTimeout(idleTimer); }
      var kept = enrolled ? keep(record) : Promise.resolve();
      kept.then(function () {
        // Nothing of this person stays in the page: the form is cleared at once.
        form.reset();
        applyConditions();
        return send(form.dataset.post, record, SEND_WAIT_MS);
      }).then(function (outcome) {
        if (outcome.kind === "stored") {
          return (enrolled ? drop(record.nonce) : Promise.resolve()).then(function () {
            thanks(false);
          });
        }
        if (outcome.kind === "later" && enrolled) {
          thanks(true);
          return null;
        }
        if (outcome.kind === "revoked") { stopped = true; }
        var message = outcome.body.message ||
          (outcome.kind === "later" ? form.dataset.msgOffline : form.dataset.msgFailed);
        var done = enrolled && outcome.kind !== "revoked" ? drop(record.nonce) : Promise.resolve();
        return done.then(function () {
          showError(message, "");
          if (!stopped) { setTimeout(blank, thanksMs * 2); }
        });
      }, function () {
        showError(form.dataset.msgFailed, "");
      });
    });

    function thanks(isQueued) {
      document.getElementById("k-queued").hidden = !isQueued;
      show("k-thanks");
      setTimeout(blank, thanksMs);
      if (enrolled) { flush(); }
    }

    Array.prototype.forEach.call(document.querySelectorAll(".k-lang, .k-again"), function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        location.replace(link.href);
      });
    });

    if (!("indexedDB" in window)) { enrolled = false; }
    if (enrolled) {
      if ("serviceWorker" in navigator) {
        navigator.serviceWorker.register("/k/sw.js", { scope: "/k/" }).then(function () {
          return navigator.serviceWorker.ready;
        }).then(function () {
          if (!("caches" in window)) { return null; }
          var urls = JSON.parse(form.dataset.cache || "[]");
          return caches.open(CACHE).then(function (cache) {
            return Promise.all(urls.map(function (url) {
              return cache.add(url)["catch"](function () {});
            }));
          });
        }).then(function () {
          document.documentElement.dataset.kioskReady = "1";
        }, function () {});
      }
      window.addEventListener("online", flush);
      setInterval(flush, FLUSH_EVERY_MS);
      flush();
    }
  }

  function enrolPage(section) {
    var message = document.getElementById("k-enrol-msg");
    var secret = location.hash.replace(/^#/, "");
    // The secret leaves the address bar at once: it is not kept in the history.
    history.replaceState(null, "", location.pathname);
    if (!secret) {
      message.textContent = section.dataset.msgMissing;
      return;
    }
    fetch(section.dataset.post, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ secret: secret })
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok && data.start) {
          location.replace(data.start);
        } else {
          message.textContent = data.message || section.dataset.msgMissing;
        }
      });
    }, function () {
      message.textContent = section.dataset.msgOffline;
    });
  }

  function start() {
    var form = document.getElementById("kf");
    if (form) { kioskPage(form); return; }
    var enrol = document.getElementById("k-enrol");
    if (enrol) { enrolPage(enrol); return; }
    var problem = document.getElementById("k-error");
    if (problem) {
      problem.focus();
      problemPage(problem);
      Array.prototype.forEach.call(document.querySelectorAll(".k-lang, .k-again"), function (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          location.replace(link.href);
        });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
