// The agent's run: copy buttons, the header's menu, and the keys that move, tick, copy and note.
// Progressive enhancement only: every control here is a real link, button or form without it.
(function () {
  "use strict";

  function showCopyButtons(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("button[data-copy]").forEach(function (button) { button.hidden = false; });
  }

  function say(button, words) {
    var label = button.dataset.label || button.firstChild.textContent;
    button.dataset.label = label;
    button.firstChild.textContent = words;
    setTimeout(function () { button.firstChild.textContent = label; }, 1500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.dataset.copy).then(
      function () { say(button, "Copied"); },
      function () { say(button, "Select the words to copy them"); }
    );
  });

  // A menu (the run's header) closes when the agent clicks elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  // A run's keys act on the step on screen. A key pressed while the last move or tick is still on
  // its way waits for the new step: quick presses (j j, x x) each count, in order, on the right
  // step, and two ticks never race (each posts the whole checklist; the first could land last).
  var requests = 0;
  var waiting = [];
  document.addEventListener("htmx:beforeRequest", function () { requests++; });
  document.addEventListener("htmx:afterRequest", function (event) {
    requests = Math.max(requests - 1, 0);
    if (!event.detail.successful) waiting = [];  // the step did not change: the keys were for another
    setTimeout(nextWaitingKey, 0);  // htmx has swapped the new step in by now, and settles it next
  });
  document.addEventListener("htmx:afterSettle", nextWaitingKey);

  function nextWaitingKey() {
    // One at a time: a key that starts a request leaves the rest for when its answer is in.
    while (waiting.length && !requests) runKey(waiting.shift());
  }

  var RUN_KEY = /^(j|k|x|[1-9]|ArrowRight|ArrowLeft)$/;

  function runKey(key) {
    if (key === "j" || key === "ArrowRight") return press('[data-nav="next"]');
    if (key === "k" || key === "ArrowLeft") return press('[data-nav="back"]');
    if (key === "x") {
      var box = document.querySelector('#runner .checklist input[type="checkbox"]:not(:checked)');
      if (box) box.click();
      return box !== null;
    }
    return press('[data-choice="' + key + '"]');
  }

  function toggleKeys() {
    var keys = document.getElementById("keys");
    if (!keys) return false;
    keys.open = !keys.open;
    if (keys.open) {
      keys.scrollIntoView({ block: "nearest" });
      keys.querySelector("summary").focus();
    }
    return true;
  }

  // A history restore (browser Back/Forward) swaps a whole page and has no target element.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    showCopyButtons(target && target.isConnected ? target : document);
  });
  document.addEventListener("htmx:historyRestore", function () { showCopyButtons(document); });

  // Keys belong to fields the agent types in; a ticked checkbox keeps j/k working (app.js has the same rule).
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

  function backToStep(event) {
    var title = document.getElementById("step-title");
    if (title) { title.focus(); event.preventDefault(); }
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && event.target.matches("#note-body")) {
      event.preventDefault();
      event.target.form.requestSubmit();  // htmx posts it, as the Save button would
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.key === "Escape" && event.target.matches("#note-body")) {
      backToStep(event);  // so j/k and the answer keys work again; the typed text stays
      return;
    }
    if (event.key === "Escape") {
      var open = event.target.closest("details[open]");
      if (open && (open.id === "keys" || open.hasAttribute("data-menu"))) {
        open.open = false;
        if (open.id === "keys") backToStep(event);
        else { open.querySelector("summary").focus(); event.preventDefault(); }
        return;
      }
    }
    if (typing(event.target)) return;
    var handled = false;
    if (RUN_KEY.test(event.key) && document.getElementById("runner")) {
      if (requests || waiting.length) {  // after the keys already waiting, in the order pressed
        waiting.push(event.key);
        handled = true;
      } else handled = runKey(event.key);
    } else if (event.key === "n") {
      var note = document.getElementById("note-body");
      if (note) { note.focus(); handled = true; }
    } else if (event.key === "c") {
      handled = press("#runner button[data-copy]");
    } else if (event.key === "?") {
      handled = toggleKeys();
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () { showCopyButtons(document); });
})();
