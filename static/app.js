// Progressive enhancement only: every control here is a real link, button or form without it.
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector('meta[name="csrf-token"]');
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });

  function showCopyButtons(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("button[data-copy]").forEach(function (button) { button.hidden = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var label = button.firstChild.textContent;
      button.firstChild.textContent = "Copied";
      setTimeout(function () { button.firstChild.textContent = label; }, 1500);
    });
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    showCopyButtons(event.detail.target.isConnected ? event.detail.target : document);
  });

  // Keys belong to fields the agent types in; a ticked checkbox keeps j/k working.
  function typing(target) {
    if (target.closest("textarea, select, [contenteditable]")) return true;
    var input = target.closest("input");
    return input !== null && !/^(checkbox|radio|button|submit|reset)$/.test(input.type);
  }

  function press(selector) {
    var control = document.querySelector(selector);
    if (control) { control.click(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.key === "Escape" && event.target.matches("#q")) { event.target.value = ""; return; }
    if (event.key === "Escape" && event.target.matches("#note-body")) {
      // Back to the step, so j/k and the answer keys work again; the typed text stays.
      var title = document.getElementById("step-title");
      if (title) { title.focus(); event.preventDefault(); }
      return;
    }
    if (typing(event.target)) return;
    var handled = false;
    if (event.key === "/") {
      var search = document.getElementById("q");
      if (search) { search.focus(); search.select(); handled = true; }
      else { window.location.href = "/search"; handled = true; }
    } else if (event.key === "j" || event.key === "ArrowRight") {
      handled = press('[data-nav="next"]');
    } else if (event.key === "k" || event.key === "ArrowLeft") {
      handled = press('[data-nav="back"]');
    } else if (/^[1-9]$/.test(event.key)) {
      handled = press('[data-choice="' + event.key + '"]');
    } else if (event.key === "n") {
      var note = document.getElementById("note-body");
      if (note) { note.focus(); handled = true; }
    }
    if (handled) event.preventDefault();
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
    showCopyButtons(document);
    var source = document.querySelector("textarea[data-line]");
    if (source) caretToLine(source);
  });
})();
