// courtwatch: next and previous match on a reading page. Without this script the page lists the
// matches to jump to; with it, two buttons (and the keys n and p) move from match to match.
"use strict";
(function () {
  var nav = document.getElementById("cw-matchnav");
  var marks = document.querySelectorAll(".ruling-text mark[id^='m']");
  if (!nav || marks.length === 0) return;
  var status = document.getElementById("cw-match-status");
  var at = -1;
  function button(text, step) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", function () { go(step); });
    return b;
  }
  function go(step) {
    if (at >= 0) marks[at].classList.remove("current");
    at = (at + step + marks.length) % marks.length;
    var m = marks[at];
    m.classList.add("current");
    m.scrollIntoView({ block: "center" });
    m.focus({ preventScroll: true });
    status.textContent = nav.dataset.of.replace("#1", at + 1).replace("#2", marks.length);
  }
  var bar = document.createElement("p");
  bar.className = "actions";
  bar.appendChild(button(nav.dataset.prev, -1));
  bar.appendChild(button(nav.dataset.next, 1));
  nav.appendChild(bar);
  nav.classList.add("sticky");
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || (t && /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (e.key === "n") go(1);
    else if (e.key === "p") go(-1);
  });
})();
