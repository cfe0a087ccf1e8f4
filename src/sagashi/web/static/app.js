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
