// Copy buttons of the admin console: <button class="copy" data-copy="ID"> copies #ID's value.
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy");
  if (!button) return;
  var source = document.getElementById(button.dataset.copy);
  var status = document.getElementById(button.dataset.copy + "-copied");
  if (!source) return;
  function done(message) { if (status) status.textContent = message; }
  source.focus();
  source.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value).then(
      function () { done("Đã sao chép · Copied"); },
      function () { done("Hãy nhấn Ctrl+C · Press Ctrl+C"); }
    );
  } else {
    done(document.execCommand("copy") ? "Đã sao chép · Copied" : "Hãy nhấn Ctrl+C · Press Ctrl+C");
  }
});
