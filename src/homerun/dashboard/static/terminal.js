/* The virtual terminal: the card is keyed into Homerun's card frame (Runner.js), and the
 * form posts only the token the frame gives back. The card number never enters this page:
 * the frame is another document, and it answers with the token alone. The CVV is not
 * asked for here (useCvv false), so it cannot pass through this page either. */
(function () {
  "use strict";

  var form = document.getElementById("terminal-form");
  var mount = document.getElementById("card-frame");
  if (!form || !mount || !window.Runner) return;
  var button = document.getElementById("charge");
  var status = document.getElementById("card-status");
  var token = form.elements.account_token;
  var sent = false;

  function say(text) {
    status.textContent = text;
  }

  var runner = new window.Runner();
  runner.init({
    element: "#card-frame",
    publicKey: mount.getAttribute("data-public-key"),
    useExpiry: true,
    useCvv: false,
    returnCvv: false,
    frameTitle: "Card number and expiry",
    cardLabel: "Card number",
    expiryLabel: "Expiry",
    // The dashboard's own field style, so the frame's fields look like the rest of the form.
    css: {
      input: { border: "2px solid #8a94a3", "border-radius": "6px" },
      select: { border: "2px solid #8a94a3", "border-radius": "6px" },
      label: { color: "#1b1f24" }
    }
  });
  button.disabled = true;
  say("Loading the secure card form…");
  runner.onLoaded(function () {
    button.disabled = false;
    mount.setAttribute("data-loaded", "yes");
    say("");
  });

  form.addEventListener("submit", function (event) {
    // One post per form: a second click while the first is on its way does nothing
    // (and the server charges a form's key once in any case).
    if (sent) {
      event.preventDefault();
      return;
    }
    if (token.value) {
      sent = true;
      return;
    }
    event.preventDefault();
    button.disabled = true;
    say("Checking the card…");
    runner.tokenize(function (result) {
      if (!result || !result.account_token) {
        button.disabled = false;
        say((result && result.error) || "The card form gave no token: check the card and try again.");
        return;
      }
      token.value = result.account_token;
      sent = true;
      say("Charging…");
      form.submit();
    });
  });
})();
