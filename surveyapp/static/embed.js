// surveyapp embed: replaces each <a data-surveyapp-form> served from this script's origin
// with an iframe of the form, and resizes it when the form (and only it) reports its height.
// A frame the browser refuses to show (the page's origin is not listed for the agency)
// never reports: after a few seconds it gives way to the link, opening the form in a new page.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var appOrigin = new URL(script.src).origin;
  var MIN = 200, MAX = 20000;
  //: Milliseconds after a frame's load event within which the form must have reported.
  var WAIT = 4000;
  var frames = [];

  function giveWay(entry) {
    if (entry.reported || !entry.frame.parentNode) return;
    var link = entry.link;
    link.setAttribute("target", "_blank");
    link.setAttribute("rel", "noopener");
    link.setAttribute("data-surveyapp-fallback", "1");
    entry.frame.parentNode.replaceChild(link, entry.frame);
  }

  function insert(link) {
    var url = new URL(link.href);
    if (url.origin !== appOrigin || link.getAttribute("data-surveyapp-ready")) return;
    link.setAttribute("data-surveyapp-ready", "1");
    url.searchParams.set("embed", "1");
    url.searchParams.set("parent", window.location.origin);
    var frame = document.createElement("iframe");
    frame.src = url.toString();
    frame.title = link.textContent;
    frame.setAttribute("loading", "lazy");
    frame.style.cssText = "width:100%;height:900px;border:0;display:block";
    var entry = { frame: frame, link: link, reported: false, waiting: false };
    // A lazy frame loads when it comes near the viewport: the wait starts then.
    frame.addEventListener("load", function () {
      if (entry.reported || entry.waiting) return;
      entry.waiting = true;
      window.setTimeout(function () { giveWay(entry); }, WAIT);
    });
    link.parentNode.replaceChild(frame, link);
    frames.push(entry);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== appOrigin) return;
    var data = event.data;
    if (!data || data.type !== "surveyapp:height" || typeof data.height !== "number") return;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].frame.contentWindow === event.source) {
        frames[i].reported = true;
        var h = Math.max(MIN, Math.min(MAX, Math.round(data.height)));
        frames[i].frame.style.height = h + "px";
        return;
      }
    }
  });

  // The form asks for a point of it (its error summary, a question) at the window's top:
  // {type: "surveyapp:scroll", top: px below the frame's top edge}.
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== appOrigin || !data || data.type !== "surveyapp:scroll") return;
    if (typeof data.top !== "number" || !isFinite(data.top)) return;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].frame.contentWindow === event.source) {
        var box = frames[i].frame.getBoundingClientRect();
        var top = Math.max(0, Math.min(data.top, box.height));
        window.scrollTo(window.pageXOffset, Math.round(box.top + window.pageYOffset + top));
        return;
      }
    }
  });

  function scan() {
    var links = document.querySelectorAll("a[data-surveyapp-form]");
    for (var i = 0; i < links.length; i++) insert(links[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
