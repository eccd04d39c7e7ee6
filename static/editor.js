// The editor, made quicker (everything here also works as plain forms without it): the live
// preview follows the caret (htmx posts the text; this adds where the caret is), the draft
// saves itself and on Ctrl/Cmd+S, leaving with unsaved changes asks first, a problem's line
// link puts the caret on that line, and a toolbar writes the syntax for the author.
(function () {
  "use strict";

  var AUTOSAVE_AFTER = 2000; // ms after the last keystroke

  function lineOf(text, offset) {
    return text.slice(0, offset).split("\n").length;
  }

  function offsetOfLine(text, line) {
    var offset = 0;
    for (var i = 1; i < line; i++) {
      var next = text.indexOf("\n", offset);
      if (next === -1) return text.length;
      offset = next + 1;
    }
    return offset;
  }

  function goToLine(textarea, line) {
    var offset = offsetOfLine(textarea.value, line);
    textarea.focus();
    textarea.setSelectionRange(offset, offset);
    var lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
    textarea.dispatchEvent(new Event("caret-moved"));
  }

  // The relative link from one library path to another, as authors write them in files.
  function relativePath(from, to) {
    var fromDir = from.split("/").slice(0, -1);
    var target = to.split("/");
    var common = 0;
    while (common < fromDir.length && common < target.length - 1 && fromDir[common] === target[common]) common++;
    var ups = [];
    for (var i = common; i < fromDir.length; i++) ups.push("..");
    return ups.concat(target.slice(common)).join("/");
  }

  function uniqueId(text, base) {
    var id = base, n = 2;
    while (text.indexOf("{#" + id + "}") !== -1 || text.indexOf("{#" + id + " ") !== -1) id = base + "-" + n++;
    return id;
  }

  function setUpEditor(form) {
    var textarea = document.getElementById("editor-source");
    var note = document.getElementById("editor-note");
    var status = document.getElementById("save-status");
    var preview = document.getElementById("editor-preview");
    var readOnly = textarea.readOnly;
    var saved = textarea.value + "\u0000" + note.value;
    var submitting = false, saving = false, stopped = false, timer = null, lastStep = null, pendingStep = null;

    function dirty() { return textarea.value + "\u0000" + note.value !== saved; }
    function say(message, problem) {
      status.textContent = message;
      status.classList.toggle("error", Boolean(problem));
    }

    function save(byHand) {
      if (readOnly || saving || (!byHand && stopped) || !dirty()) {
        if (byHand && !dirty()) say("Nothing to save: the draft has not changed since it was saved.");
        return;
      }
      saving = true;
      var sent = textarea.value + "\u0000" + note.value;
      var token = form.querySelector('input[name="csrf_token"]').value;
      fetch(form.dataset.saveUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRFToken": token, "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (answer) { return { response: response, answer: answer }; });
      }).then(function (result) {
        var answer = result.answer;
        if (answer.ok) {
          form.querySelector('input[name="draft"]').value = answer.draft;
          form.querySelector('input[name="saves"]').value = answer.saves;
          saved = sent;
          stopped = false;
          say(dirty() ? "Saving…" : answer.status);
        } else {
          stopped = Boolean(answer.conflict); // someone else saved: only the Save button compares
          say(answer.error, true);
        }
      }).catch(function () {
        say("Not saved: the server could not be reached. Your text is still here; try Ctrl+S again.", true);
      }).finally(function () {
        saving = false;
        if (dirty() && !stopped) later(); // typed while it was saving: save that too
      });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(function () { save(false); }, AUTOSAVE_AFTER);
    }

    textarea.addEventListener("input", later);
    note.addEventListener("input", later);
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || readOnly || !dirty()) return;
      event.preventDefault();
      event.returnValue = "";
    });
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "s" || event.key === "S")) {
        event.preventDefault();
        clearTimeout(timer);
        save(true);
      }
    });

    // The preview shows the step the caret is in: tell htmx when that step changes.
    function stepLine() {
      var lines = textarea.value.slice(0, textarea.selectionStart).split("\n");
      for (var i = lines.length - 1; i >= 0; i--) if (/^## /.test(lines[i])) return i + 1;
      return 1;
    }
    ["keyup", "click"].forEach(function (type) {
      textarea.addEventListener(type, function () {
        var line = stepLine();
        if (line !== lastStep) {
          lastStep = line;
          textarea.dispatchEvent(new Event("caret-moved"));
        }
      });
    });

    document.addEventListener("htmx:configRequest", function (event) {
      var elt = event.detail.elt;
      if (elt === textarea) {
        if (pendingStep) {
          event.detail.parameters.step = pendingStep;
          pendingStep = null;
        } else {
          event.detail.parameters.line = lineOf(textarea.value, textarea.selectionStart);
        }
      } else if (preview.contains(elt)) {
        event.detail.parameters.source = textarea.value; // a move inside the preview: of this text
      }
    });

    // A link in the preview to one of this document's steps shows that step in the preview.
    var ownSteps = new RegExp("/d/" + form.dataset.slug.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "/steps/([^/?#]+)$");
    preview.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link) return;
      var match = ownSteps.exec(new URL(link.href, location.href).pathname);
      if (!match || !window.htmx) return;
      event.preventDefault();
      pendingStep = decodeURIComponent(match[1]);
      htmx.trigger(textarea, "caret-moved");
    });

    // Problems (and refused lines): put the caret on the line named.
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-line], a[href^='#line-']");
      if (!link) return;
      event.preventDefault();
      var line = link.dataset.line || link.getAttribute("href").slice("#line-".length);
      goToLine(textarea, parseInt(line, 10));
    });

    if (form.dataset.startLine) goToLine(textarea, parseInt(form.dataset.startLine, 10));
    setUpToolbar(form, textarea);
  }

  function setUpToolbar(form, textarea) {
    var toolbar = form.querySelector(".toolbar");
    if (!toolbar || textarea.readOnly) return;
    toolbar.hidden = false;

    function changed(start, end) {
      textarea.focus();
      textarea.setSelectionRange(start, end);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      textarea.dispatchEvent(new Event("caret-moved"));
    }

    // Blocks go on their own lines after the caret's line; steps after the caret's step.
    function insertAt(offset, block, select) {
      var text = textarea.value;
      var before = text.slice(0, offset);
      var lead = before === "" || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
      var after = text.slice(offset);
      var tail = after === "" || /^\n/.test(after) ? "\n" : "\n\n";
      textarea.setRangeText(lead + block + tail, offset, offset, "end");
      var start = offset + lead.length + block.indexOf(select);
      changed(start, start + select.length);
    }

    function endOfLine() {
      var end = textarea.value.indexOf("\n", textarea.selectionEnd);
      return end === -1 ? textarea.value.length : end + 1;
    }

    function endOfStep() {
      var text = textarea.value;
      var next = text.slice(textarea.selectionEnd).search(/\n## /);
      return next === -1 ? text.length : textarea.selectionEnd + next + 1;
    }

    var snippets = {
      step: function () {
        var id = uniqueId(textarea.value, "new-step");
        insertAt(endOfStep(), "## New step {#" + id + "}\n\nWhat the agent does.", "New step");
      },
      decision: function () {
        var id = uniqueId(textarea.value, "question");
        var yes = uniqueId(textarea.value, id + "-yes"), no = uniqueId(textarea.value, id + "-no");
        insertAt(endOfStep(), "## Question for the caller? {#" + id + "}\n\n" +
          "- **Yes** → [When the answer is yes](#" + yes + ")\n" +
          "- **No** → [When the answer is no](#" + no + ")\n\n" +
          "## When the answer is yes {#" + yes + " .end}\n\nWhat to do.\n\n" +
          "## When the answer is no {#" + no + "}\n\nWhat to do.", "Question for the caller?");
      },
      say: function () {
        insertAt(endOfLine(), "> **Say:** \"The words the agent reads out.\"", "The words the agent reads out.");
      },
      check: function () {
        insertAt(endOfLine(), "- [ ] Something the agent checks", "Something the agent checks");
      }
    };

    var picker = document.getElementById("link-picker");
    var search = document.getElementById("link-search");
    var results = document.getElementById("link-results");
    var caret = 0;

    // A toolbar moves focus between its buttons with the arrow keys, as screen reader users expect.
    toolbar.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button"));
      var index = buttons.indexOf(document.activeElement);
      if (index === -1) return;
      var next = (index + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length;
      buttons[next].focus();
      event.preventDefault();
    });

    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-insert]");
      if (!button) return;
      var what = button.dataset.insert;
      if (what === "link") {
        caret = textarea.selectionStart;
        search.value = "";
        results.textContent = "";
        picker.showModal();
        search.focus();
      } else {
        snippets[what]();
      }
    });

    // The picker lists titles from /search/suggest; choosing one writes a relative link.
    results.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link) return;
      event.preventDefault();
      var slug = decodeURIComponent(new URL(link.href, location.href).pathname.replace(/^\/d\//, ""));
      var markdown = "[" + link.textContent.trim() + "](" + relativePath(form.dataset.path, slug + ".md") + ")";
      picker.close();
      textarea.setRangeText(markdown, caret, textarea.selectionEnd > caret ? textarea.selectionEnd : caret, "end");
      changed(caret + markdown.length, caret + markdown.length);
    });
    search.addEventListener("keydown", function (event) {
      var first = results.querySelector("a[href]");
      if (event.key === "ArrowDown" && first) {
        first.focus();
        event.preventDefault();
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (first) first.click();
      }
    });
    picker.addEventListener("close", function () { textarea.focus(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("editor-form");
    if (form) setUpEditor(form);
  });
})();
