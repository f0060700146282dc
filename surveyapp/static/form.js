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
      if (el.disabled) continue;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
      if (el.value !== "") out.push(el.value);
    }
    return out;
  }

  // Show a conditional question only while its condition holds; disabled inputs are not sent.
  function applyConditions(form) {
    var blocks = form.querySelectorAll("[data-show-if]");
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var wanted = JSON.parse(block.getAttribute("data-show-values"));
      var have = values(form, block.getAttribute("data-show-if"));
      var show = have.some(function (v) { return wanted.indexOf(v) >= 0; });
      block.hidden = !show;
      var inputs = block.querySelectorAll("input,select,textarea");
      for (var j = 0; j < inputs.length; j++) inputs[j].disabled = !show;
    }
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
    var parentOrigin = root.getAttribute("data-parent-origin");
    if (!parentOrigin || window.parent === window) return;
    var last = 0;
    var send = function () {
      // The body's own height: the document's scrollHeight never drops below the frame's.
      var h = Math.ceil(document.body.getBoundingClientRect().height);
      if (h !== last) {
        last = h;
        window.parent.postMessage({ type: "surveyapp:height", height: h }, parentOrigin);
      }
    };
    send();
    if (window.ResizeObserver) new ResizeObserver(send).observe(document.body);
    window.addEventListener("load", send);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[method=post]");
    if (form) {
      applyConditions(form);
      form.addEventListener("change", function () { applyConditions(form); });
    }
    setUpFilter();
    var summary = document.getElementById("err-sum");
    if (summary) summary.focus();
    reportHeight();
  });
})();
