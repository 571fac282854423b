/* A "Copy" button beside a read-only field (a payment link's public URL). The button is
 * rendered hidden and shown here, so a browser without scripts keeps the field and its
 * select-and-copy hint. Where the clipboard cannot be written (no permission, an insecure
 * origin), the field's text is selected and the status line says which keys copy it. */
(function () {
  "use strict";

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    if (!field || !status) return;

    function selectInstead() {
      field.focus();
      field.select();
      status.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy it.";
    }

    button.addEventListener("click", function () {
      status.textContent = "";
      if (!navigator.clipboard || !window.isSecureContext) {
        selectInstead();
        return;
      }
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = "Copied.";
      }, selectInstead);
    });
    button.hidden = false;
  });
})();
