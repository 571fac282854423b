/* Hosted payment page: checks as the shopper types, an error summary before
 * submitting, one submission at a time. The page works without this script;
 * the server makes every check again. */
(function () {
  "use strict";

  var Cards = window.HomerunCards;
  var form = document.getElementById("pay-form");
  var serverNotice = document.getElementById("error-summary") || document.getElementById("decline");
  if (serverNotice) serverNotice.focus();
  if (!form || !Cards) return;

  var today = Cards.parseToday(form.getAttribute("data-today"));
  var minCents = parseInt(form.getAttribute("data-min"), 10) || 1;
  var maxCents = parseInt(form.getAttribute("data-max"), 10) || null;
  var currency = form.getAttribute("data-currency") || "USD";
  var summary = document.getElementById("client-summary");
  var brandOut = document.getElementById("card-brand");
  var button = document.getElementById("pay-button");

  function input(id) { return document.getElementById(id); }

  function money(cents) {
    var text = Math.floor(cents / 100) + "." + ("0" + (cents % 100)).slice(-2);
    return currency === "USD" ? "$" + text : text + " " + currency;
  }

  function setError(field, message) {
    var out = input(field.id + "-error");
    if (!out) return;
    out.textContent = "";
    if (message) {
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = "Error: ";
      out.appendChild(hidden);
      out.appendChild(document.createTextNode(message));
    }
    out.hidden = !message;
    field.setAttribute("aria-invalid", message ? "true" : "false");
    var wrapper = field.closest(".field");
    if (wrapper) wrapper.classList.toggle("has-error", !!message);
  }

  function cents(text) {
    var t = String(text || "").replace(/[$,\s]/g, "");
    var m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(t);
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + (m[2] ? parseInt((m[2] + "0").slice(0, 2), 10) : 0);
  }

  var checks = {
    amount: function (final) {
      var field = input("amount");
      if (!field.value.trim()) return final ? "Enter the amount to pay" : null;
      var value = cents(field.value);
      if (value === null) return "Enter the amount in dollars and cents, such as 12.34";
      if (value < minCents || (maxCents && value > maxCents)) {
        return maxCents
          ? "Enter an amount between " + money(minCents) + " and " + money(maxCents)
          : "Enter an amount of at least " + money(minCents);
      }
      return null;
    },
    card_number: function (final) {
      var state = Cards.checkNumber(input("card_number").value, final);
      if (brandOut) brandOut.textContent = state.brand ? "Card type: " + Cards.label(state.brand) : "";
      return state.error;
    },
    expiry: function (final) {
      var value = input("expiry").value.trim();
      if (!value) return final ? "Enter the expiry date" : null;
      var parsed = Cards.parseExpiryText(value);
      if (!parsed) return final ? "Enter the expiry date as MM/YY" : null;
      return Cards.checkExpiry(parsed.month, parsed.year, today, final);
    },
    cvv: function (final) {
      var brand = Cards.brandOf(Cards.digitsOf(input("card_number").value));
      return Cards.checkCvv(input("cvv").value, brand, final);
    },
    email: function (final) {
      var value = input("email").value.trim();
      if (!value) return null;
      return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) || !final
        ? null : "Enter an email address such as name@example.com";
    }
  };

  function requiredCheck(field) {
    return function (final) {
      if (field.readOnly || field.value.trim()) return null;
      if (!final) return null;
      var text = (field.labels && field.labels[0] ? field.labels[0].textContent : field.id)
        .replace(/\s*\(required\)\s*$/, "").trim();
      return "Enter " + text.charAt(0).toLowerCase() + text.slice(1);
    };
  }

  var fields = Array.prototype.slice.call(form.querySelectorAll("input:not([type=hidden])"));
  fields.forEach(function (field) {
    var check = checks[field.id] || (field.required ? requiredCheck(field) : null);
    if (!check) return;
    if (field.required && checks[field.id]) {
      var own = check;
      var required = requiredCheck(field);
      check = function (final) { return required(final) || own(final); };
    }
    field._check = check;
    field.addEventListener("input", function () {
      if (field.id === "card_number") {
        var atEnd = field.selectionStart === field.value.length;
        var digits = field.value.replace(/\D/g, "");
        var brand = Cards.brandOf(digits);
        var formatted = Cards.format(digits.slice(0, Cards.maxLength(brand)), brand);
        if (atEnd && formatted !== field.value) field.value = formatted;
      }
      setError(field, check(field._touched));
    });
    field.addEventListener("blur", function () {
      if (field.value) field._touched = true;
      if (field._touched) setError(field, check(true));
    });
  });

  // A MID that takes cards and bank accounts: only the chosen method's fields are shown
  // and checked (the server checks the same).
  var methodSets = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-method]"));
  function chosenMethod() {
    var radio = form.querySelector("input[name=method]:checked");
    return radio ? radio.value : null;
  }
  function inactive(field) {
    var set = field.closest("fieldset[data-method]");
    var chosen = chosenMethod();
    return Boolean(set && chosen && set.getAttribute("data-method") !== chosen);
  }
  function showMethod() {
    var chosen = chosenMethod();
    if (!chosen) return;
    methodSets.forEach(function (set) {
      set.hidden = set.getAttribute("data-method") !== chosen;
    });
  }
  Array.prototype.slice.call(form.querySelectorAll("input[name=method]")).forEach(function (radio) {
    radio.addEventListener("change", showMethod);
  });
  showMethod();

  form.addEventListener("submit", function (event) {
    var problems = [];
    fields.forEach(function (field) {
      if (!field._check) return;
      if (inactive(field)) {
        setError(field, null);
        return;
      }
      field._touched = true;
      var message = field._check(true);
      setError(field, message);
      if (message) problems.push([field.id, message]);
    });
    if (problems.length) {
      event.preventDefault();
      var list = summary.querySelector("ul");
      list.textContent = "";
      problems.forEach(function (problem) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#" + problem[0];
        link.textContent = problem[1];
        item.appendChild(link);
        list.appendChild(item);
      });
      var old = document.getElementById("error-summary");
      if (old) old.hidden = true;
      summary.hidden = false;
      summary.focus();
      return;
    }
    if (button.disabled) {
      event.preventDefault();
      return;
    }
    button.disabled = true;
    button.textContent = "Processing payment\u2026";
  });

  summary.addEventListener("click", function (event) {
    var target = event.target;
    if (target.tagName !== "A") return;
    var field = input(target.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
    }
  });
})();
