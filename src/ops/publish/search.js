// Filters the page as you type, over the index written at publish time (search-index.js).
// Without scripts, everything stays visible.
(function () {
  var index = window.trustfillIndex || [];
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  if (!input) { return; }
  function stem(w) {
    if (w.length > 5 && /ies$/.test(w)) { return w.slice(0, -3) + "y"; }
    if (w.length > 5 && /(ing|ed)$/.test(w)) { return w.replace(/(ing|ed)$/, ""); }
    if (w.length > 4 && /[^s]s$/.test(w)) { return w.slice(0, -1); }
    return w;
  }
  function run() {
    // Word forms: "backups", "encrypted", "policies" find "backup", "encrypt", "policy"
    // (the index also holds each pair of neighbouring words run together: "back up").
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean).map(stem);
    var shown = 0;
    index.forEach(function (entry) {
      var el = document.getElementById(entry.id);
      if (!el) { return; }
      var hit = words.every(function (w) { return entry.text.indexOf(w) !== -1; });
      el.hidden = !hit;
      if (hit) { shown += 1; }
    });
    // Hide groups and sections left with nothing to show.
    document.querySelectorAll(".group, #reports, #faq, #policies").forEach(function (group) {
      var items = group.querySelectorAll(".item");
      if (!items.length) { return; }
      var any = Array.prototype.some.call(items, function (i) { return !i.hidden; });
      group.hidden = !any;
    });
    results.textContent = words.length
      ? shown + (shown === 1 ? " answer matches." : " answers match.")
      : "";
  }
  input.addEventListener("input", run);
  // A search can be linked to: index.html?q=encryption.
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked) {
    input.value = asked;
    run();
  }
})();
