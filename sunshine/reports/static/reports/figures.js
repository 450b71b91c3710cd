// Insert a computed figure's sentence at the cursor of its section's text. Without this
// script the same button submits the form and the server appends the sentence instead.
(() => {
  const touched = new WeakSet();
  document.addEventListener("focusin", (event) => {
    if (event.target instanceof HTMLTextAreaElement) touched.add(event.target);
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-insert]");
    const area = button && document.getElementById(button.dataset.target);
    if (!area) return;
    event.preventDefault();
    // Untouched text: add at the end, where the server-side insert would put it.
    const start = touched.has(area) ? area.selectionStart : area.value.length;
    const end = touched.has(area) ? area.selectionEnd : start;
    area.setRangeText(button.dataset.insert, start, end, "end");
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
