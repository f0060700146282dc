// Copy buttons of the admin console: <button class="copy" data-copy="ID"> copies #ID's value.
// The status texts come from the button's data-copied and data-copy-by-hand attributes,
// which the templates fill from the translation catalog.
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy");
  if (!button) return;
  var source = document.getElementById(button.dataset.copy);
  var status = document.getElementById(button.dataset.copy + "-copied");
  if (!source) return;
  function done(ok) {
    if (status) status.textContent = ok ? button.dataset.copied : button.dataset.copyByHand;
  }
  source.focus();
  source.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value).then(
      function () { done(true); },
      function () { done(false); }
    );
  } else {
    done(document.execCommand("copy"));
  }
});
