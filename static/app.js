// Progressive enhancement only: every control here is a real link, button or form without it.
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector('meta[name="csrf-token"]');
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });

  // Keys belong to fields the agent types in (run.js has the same rule).
  function typing(target) {
    if (target.closest("textarea, select, [contenteditable]")) return true;
    var input = target.closest("input");
    return input !== null && !/^(checkbox|radio|button|submit|reset)$/.test(input.type);
  }

  // `/` goes to the search box from anywhere; Escape in the box empties it.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.key === "Escape" && event.target.matches("#q")) { event.target.value = ""; return; }
    if (event.key !== "/" || typing(event.target)) return;
    var search = document.getElementById("q");
    if (search) { search.focus(); search.select(); }
    else window.location.href = "/search";
    event.preventDefault();
  });

  // Which search result was opened goes to the search log by a POST beacon: never in the link,
  // where any image or link could make a GET write to the reader's log. No JavaScript, no record.
  function reportOpened(link) {
    var list = link.closest("[data-opened]");
    var token = document.querySelector('meta[name="csrf-token"]');
    if (!list || !token || !link.dataset.log || !navigator.sendBeacon) return;
    var form = new FormData();
    form.append("csrf_token", token.content);
    form.append("log", link.dataset.log);
    form.append("slug", link.dataset.slug);
    form.append("rank", link.dataset.rank);
    navigator.sendBeacon(list.dataset.opened, form);
  }

  ["click", "auxclick"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var link = event.target.closest("a[data-log]");
      if (link) reportOpened(link);
    });
  });

  // The search box: Enter opens the first result once results match what is typed;
  // the arrow keys move between the box and the results.
  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#results .result-link"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var box = document.getElementById("q");
    if (!box) return;
    var links = resultLinks();
    if (event.target === box) {
      if (event.key === "ArrowDown" && links.length) {
        links[0].focus();
        event.preventDefault();
      } else if (event.key === "Enter") {
        var list = document.querySelector("#results [data-results]");
        var typed = box.value.trim().replace(/\s+/g, " ");
        var first = list && list.querySelector(".result-link");
        if (first && list.getAttribute("data-results") === typed) {
          event.preventDefault();
          reportOpened(first);
          window.location.href = first.href;
        }
      }
      return;
    }
    var index = links.indexOf(event.target);
    if (index === -1) return;
    if (event.key === "ArrowDown" && index + 1 < links.length) {
      links[index + 1].focus();
      event.preventDefault();
    } else if (event.key === "ArrowUp") {
      (index > 0 ? links[index - 1] : box).focus();
      event.preventDefault();
    }
  });

  // The edit form opened at a step: put the caret on that step's heading line.
  function caretToLine(textarea) {
    var line = parseInt(textarea.dataset.line, 10);
    if (!line) return;
    var offset = 0;
    for (var i = 1; i < line; i++) {
      var next = textarea.value.indexOf("\n", offset);
      if (next === -1) break;
      offset = next + 1;
    }
    textarea.focus();
    textarea.setSelectionRange(offset, offset);
    var lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.querySelector("textarea[data-line]");
    if (source) caretToLine(source);
  });
})();
