// Public form behaviour; the form works without it (conditions then stay visible).
(function () {
  "use strict";
  var root = document.documentElement;
  root.className += " js";

  function values(form, name) {
    var out = [];
    var inputs = form.querySelectorAll("[name='" + name + "']");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.disabled || el.closest("[hidden]")) continue;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
      if (el.value !== "") out.push(el.value);
    }
    return out;
  }

  // Show a conditional question only while its condition holds. Its inputs stay enabled
  // until the form is sent: Chromium restores answers (Back) after DOMContentLoaded and
  // skips disabled inputs.
  function applyConditions(form) {
    var blocks = form.querySelectorAll("[data-show-if]");
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var wanted = JSON.parse(block.getAttribute("data-show-values"));
      var have = values(form, block.getAttribute("data-show-if"));
      block.hidden = !have.some(function (v) { return wanted.indexOf(v) >= 0; });
      if (block.hidden) continue;
      var inputs = block.querySelectorAll("input,select,textarea");
      for (var j = 0; j < inputs.length; j++) inputs[j].disabled = false;
    }
    applySections(form);
  }

  // Answers to hidden questions are not sent (the server would ignore them anyway).
  function disableHidden(form) {
    var inputs = form.querySelectorAll("[data-show-if][hidden] input,[data-show-if][hidden] select,[data-show-if][hidden] textarea");
    for (var i = 0; i < inputs.length; i++) inputs[i].disabled = true;
  }

  // A section whose questions are all hidden goes too; the others are numbered again.
  function applySections(form) {
    var sections = form.querySelectorAll("section.sec");
    var shown = [];
    for (var i = 0; i < sections.length; i++) {
      var blocks = sections[i].querySelectorAll(".q");
      var visible = blocks.length === 0;
      for (var j = 0; j < blocks.length; j++) if (!blocks[j].hidden) visible = true;
      sections[i].hidden = !visible;
      if (visible) shown.push(sections[i]);
    }
    var pattern = form.getAttribute("data-step");
    for (var k = 0; k < shown.length; k++) {
      var step = shown[k].querySelector(".step");
      if (step && pattern) step.textContent = pattern.replace("{n}", k + 1).replace("{t}", shown.length);
    }
  }

  function parentOrigin() {
    var origin = root.getAttribute("data-parent-origin");
    return origin && window.parent !== window ? origin : null;
  }

  // Show el: in its frame, and when embedded by asking the page around to scroll
  // (embed.js: {type: "surveyapp:scroll", top: px from the frame's top}).
  function reveal(el) {
    el.scrollIntoView({ block: "start" });
    var origin = parentOrigin();
    if (!origin) return;
    var top = Math.max(0, Math.round(el.getBoundingClientRect().top + window.pageYOffset - 8));
    window.parent.postMessage({ type: "surveyapp:scroll", top: top }, origin);
  }

  // Error summary links go to the question's block (its legend and message in view)
  // and put the focus on its first control.
  function setUpSummary(summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var control = target.querySelector("input:not([type=hidden]):not([disabled]),select,textarea");
      if (control) control.focus({ preventScroll: true });
      reveal(target);
    });
    summary.focus({ preventScroll: true });
    reveal(summary);
  }

  function setUpFilter() {
    var select = document.getElementById("agency");
    var filter = document.getElementById("agency-filter");
    if (!select || !filter) return;
    filter.parentNode.hidden = false;
    var fold = function (s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase(); };
    filter.addEventListener("input", function () {
      var q = fold(filter.value);
      var options = select.querySelectorAll("option");
      for (var i = 0; i < options.length; i++) {
        options[i].hidden = q !== "" && fold(options[i].textContent).indexOf(q) < 0;
      }
    });
  }

  // Tell the embedding page (and only it, by exact origin) how tall the form is.
  function reportHeight() {
    var origin = parentOrigin();
    if (!origin) return;
    var last = 0;
    var send = function () {
      // The body's own height: the document's scrollHeight never drops below the frame's.
      var h = Math.ceil(document.body.getBoundingClientRect().height);
      if (h !== last) {
        last = h;
        window.parent.postMessage({ type: "surveyapp:height", height: h }, origin);
      }
    };
    send();
    if (window.ResizeObserver) new ResizeObserver(send).observe(document.body);
    window.addEventListener("load", send);
  }

  // The answer to a POST (errors, language switch) becomes a GET history entry: Back
  // and Forward then load the form again, with the answers the browser restores.
  if (root.getAttribute("data-posted") && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.href);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[method=post]");
    if (form) {
      applyConditions(form);
      form.addEventListener("change", function () { applyConditions(form); });
      // (the language switch too: it is a submit button of the form)
      form.addEventListener("submit", function () { disableHidden(form); });
    }
    setUpFilter();
    reportHeight();
    var summary = document.getElementById("err-sum");
    if (summary) setUpSummary(summary);
  });
  // Answers the browser restores (Back, Forward) come after DOMContentLoaded.
  window.addEventListener("pageshow", function () {
    var form = document.querySelector("form[method=post]");
    if (form) applyConditions(form);
  });
})();
