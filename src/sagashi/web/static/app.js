// Comfort only: the page works the same without this file.
// "/" moves the focus to the search box, as on many search sites.
document.addEventListener("keydown", function (event) {
  var box = document.getElementById("q");
  var target = event.target;
  var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                          target.isContentEditable);
  if (event.key === "/" && box && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});

// A query language left on "detect" is not sent, so the URL stays the one a
// reader would share (/?q=... rather than /?q=...&query_lang=). The select is
// enabled again when the page comes back from the history.
var queryLang = document.getElementById("query-lang");
if (queryLang && queryLang.form) {
  queryLang.form.addEventListener("submit", function () {
    if (queryLang.value === "") {
      queryLang.disabled = true;
    }
  });
  window.addEventListener("pageshow", function () {
    queryLang.disabled = false;
  });
}
