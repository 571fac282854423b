/* The Runner.js card frame: card fields, checks as the shopper types, and the
 * tokenize call. It talks to the page that embeds it only through postMessage,
 * only with the origin that page declared (and the browser confirms), and it
 * never sends the card number anywhere but Homerun's tokenize endpoint. */
(function () {
  "use strict";

  var Cards = window.HomerunCards;
  var body = document.body;
  var parentOrigin = body.getAttribute("data-origin") || "";
  var channel = body.getAttribute("data-channel") || "";
  var today = Cards.parseToday(body.getAttribute("data-today"));
  var TOKENIZE_URL = "/homerun/v1/tokens";
  var MERCHANT_URL = "/homerun/v1/tokenizer/merchant";

  var el = {
    form: document.getElementById("card-form"),
    number: document.getElementById("card-number"),
    brand: document.getElementById("card-brand"),
    month: document.getElementById("expiry-month"),
    year: document.getElementById("expiry-year"),
    cvv: document.getElementById("cvv"),
    expiryField: document.getElementById("expiry-field"),
    cvvField: document.getElementById("cvv-field"),
    cardLabel: document.getElementById("card-label"),
    expiryLabel: document.getElementById("expiry-label"),
    cvvLabel: document.getElementById("cvv-label"),
    problem: document.getElementById("frame-problem"),
    cardField: document.getElementById("card-field"),
    methodField: document.getElementById("method-field"),
    methodCard: document.getElementById("method-card"),
    methodBank: document.getElementById("method-bank"),
    bankFields: document.getElementById("bank-fields"),
    routing: document.getElementById("routing-number"),
    account: document.getElementById("account-number"),
    repeat: document.getElementById("repeat-account-number"),
    accountType: document.getElementById("account-type"),
    name: document.getElementById("account-name"),
    entryClass: document.getElementById("entry-class")
  };
  var errorsOf = {
    card: document.getElementById("card-error"),
    expiry: document.getElementById("expiry-error"),
    cvv: document.getElementById("cvv-error"),
    routing: document.getElementById("routing-error"),
    account: document.getElementById("account-error"),
    repeat: document.getElementById("repeat-error"),
    name: document.getElementById("name-error")
  };
  // Which inputs each bank error marks invalid.
  var bankInput = {
    routing: el.routing, account: el.account, repeat: el.repeat, name: el.name
  };
  var bankMode = false;

  var config = null;
  var consumed = false;
  var busy = false;
  var touched = { card: false, expiry: false, cvv: false };

  function showProblem(text) {
    el.problem.textContent = text;
    el.problem.hidden = false;
    el.form.hidden = true;
    body.classList.remove("pending");
  }

  function trustedParent() {
    if (window.parent === window || !/^https?:\/\/[^/?#\s]+$/.test(parentOrigin)) return false;
    var ancestors = window.location.ancestorOrigins;
    // Where the browser tells us who embeds us, it must be the page that said so.
    if (ancestors && ancestors.length && ancestors[0] !== parentOrigin) return false;
    return true;
  }

  function send(type, extra) {
    var message = { homerun: "runner", v: 1, type: type, channel: channel };
    if (extra) {
      for (var key in extra) {
        if (Object.prototype.hasOwnProperty.call(extra, key)) message[key] = extra[key];
      }
    }
    window.parent.postMessage(message, parentOrigin);
  }

  /* ------------------------------------------------------------ options */

  function flag(value) {
    if (value === true || value === 1) return true;
    if (typeof value === "string") return /^(y|yes|true|1|t)$/i.test(value.trim());
    return false;
  }

  function text(value, limit) {
    return typeof value === "string" || typeof value === "number"
      ? String(value).slice(0, limit || 80)
      : null;
  }

  /* ------------------------------------------------------------ safe styling */

  var ALLOWED_PROPERTY = new RegExp(
    "^(color|background|background-color|opacity|caret-color|box-shadow|box-sizing|" +
    "font|font-(family|size|weight|style|variant|stretch)|letter-spacing|word-spacing|" +
    "line-height|text-(align|transform|decoration|indent|shadow)|vertical-align|" +
    "(padding|margin)(-(top|right|bottom|left))?|" +
    "border(-(top|right|bottom|left))?(-(width|style|color))?|" +
    "border-radius|border-(top|bottom)-(left|right)-radius|" +
    "outline(-(width|style|color|offset))?|" +
    "width|height|(min|max)-(width|height)|appearance|-webkit-appearance)$"
  );
  var FORBIDDEN_VALUE = /[<>{};\\@]|\/\*|\*\/|url\s*\(|image\s*\(|image-set|element\s*\(|expression\s*\(|javascript:|vbscript:|-moz-binding|behavior/i;

  function kebab(name) {
    return String(name).trim().replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); });
  }

  /* A style value as merchants write it: "%25" for "%" (Run's Runner puts the
   * values in a URL). Anything that could load, run or escape is dropped. */
  function cleanValue(raw) {
    if (typeof raw === "number" && isFinite(raw)) raw = String(raw);
    if (typeof raw !== "string") return null;
    var value = raw;
    if (/%[0-9A-Fa-f]{2}/.test(value)) {
      try { value = decodeURIComponent(value); } catch (e) { value = raw; }
    }
    value = value.replace(/\s+/g, " ").trim();
    if (!value || value.length > 200 || FORBIDDEN_VALUE.test(value)) return null;
    return value;
  }

  function declarations(rules) {
    var out = [];
    if (typeof rules === "string") {
      rules.split(";").forEach(function (part) {
        var at = part.indexOf(":");
        if (at > 0) out.push([part.slice(0, at), part.slice(at + 1)]);
      });
    } else if (rules && typeof rules === "object") {
      Object.keys(rules).forEach(function (key) { out.push([key, rules[key]]); });
    }
    return out;
  }

  function applyRules(elements, rules) {
    declarations(rules).forEach(function (pair) {
      var property = kebab(pair[0]);
      if (!ALLOWED_PROPERTY.test(property)) return;
      var value = cleanValue(pair[1]);
      if (value === null) return;
      var priority = "";
      var important = /\s*!\s*important$/i;
      if (important.test(value)) {
        priority = "important";
        value = value.replace(important, "");
      }
      elements.forEach(function (node) { node.style.setProperty(property, value, priority); });
    });
  }

  /* css: {input: {...}, select: {...}, label: {...}}, each an object or a
   * "prop: value; ..." string; or one string "input{...} label{...}". */
  function applyCss(css) {
    if (typeof css === "string") {
      var blocks = {};
      css.replace(/(input|select|label)\s*\{([^}]*)\}/gi, function (_, name, rules) {
        blocks[name.toLowerCase()] = rules;
        return "";
      });
      css = blocks;
    }
    if (!css || typeof css !== "object") return;
    applyRules([el.number, el.cvv, el.routing, el.account, el.repeat, el.name], css.input);
    applyRules([el.month, el.year, el.accountType, el.entryClass], css.select);
    applyRules(Array.prototype.slice.call(document.querySelectorAll("label, legend")), css.label);
  }

  function applyConfig(options) {
    config = {
      publicKey: text(options.publicKey, 200) || "",
      mid: text(options.mid, 32) || "",
      useExpiry: flag(options.useExpiry),
      useCvv: flag(options.useCvv),
      returnCvv: options.returnCvv === undefined ? true : flag(options.returnCvv)
    };
    var labels = [
      [el.cardLabel, options.cardLabel],
      [el.expiryLabel, options.expiryLabel],
      [el.cvvLabel, options.cvvLabel],
      [document.getElementById("routing-label"), options.routingNumberLabel],
      [document.getElementById("account-label"), options.accountNumberLabel],
      [document.getElementById("repeat-label"), options.repeatedAccountNumberLabel],
      [document.getElementById("account-type-label"), options.accountTypeLabel],
      [document.getElementById("name-label"), options.customerNameLabel],
      [document.getElementById("entry-class-label"), options.entryClassCodeLabel]
    ];
    labels.forEach(function (pair) {
      var value = text(pair[1]);
      if (value) pair[0].textContent = value; // text, never markup
    });
    var placeholders = [
      [el.number, options.cardPlaceholder],
      [el.cvv, options.cvvPlaceholder]
    ];
    placeholders.forEach(function (pair) {
      var value = text(pair[1]);
      if (value !== null) pair[0].setAttribute("placeholder", value);
    });
    el.expiryField.hidden = !config.useExpiry;
    el.cvvField.hidden = !config.useCvv;
    try {
      applyCss(options.css);
    } catch (e) {
      /* a malformed css option never stops the form */
    }
    learnMerchantType(function (typeId) {
      // Ruling R15: 1 cards only, 2 ACH only, 3 both (the payer chooses).
      el.methodField.hidden = typeId !== 3;
      setBankMode(typeId === 2);
      body.classList.remove("pending");
      send("loaded", { height: height() });
      watchHeight();
    });
  }

  /* What the merchant takes, from its public key; cards if it cannot be learnt. */
  function learnMerchantType(done) {
    if (!config.publicKey) return done(1);
    fetch(MERCHANT_URL, {
      headers: { Authorization: "Bearer " + config.publicKey },
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (info) {
      var typeId = info && info.merchant_type_id;
      done(typeId === 2 || typeId === 3 ? typeId : 1);
    }, function () { done(1); });
  }

  function setBankMode(on) {
    bankMode = on;
    el.bankFields.hidden = !on;
    el.cardField.hidden = on;
    el.expiryField.hidden = on || !config.useExpiry;
    el.cvvField.hidden = on || !config.useCvv;
    el.methodBank.checked = on;
    el.methodCard.checked = !on;
  }

  el.methodCard.addEventListener("change", function () { setBankMode(false); });
  el.methodBank.addEventListener("change", function () { setBankMode(true); });

  /* ------------------------------------------------------------ checks */

  function setError(name, message, input) {
    errorsOf[name].textContent = message || "";
    var inputs = input ? [input] : name === "expiry" ? [el.month, el.year] : [];
    inputs.forEach(function (node) {
      node.setAttribute("aria-invalid", message ? "true" : "false");
    });
  }

  function numberState(final) {
    return Cards.checkNumber(el.number.value, final);
  }

  function checkCard(final) {
    var state = numberState(final);
    el.brand.textContent = Cards.label(state.brand);
    setError("card", state.error, el.number);
    return state;
  }

  function checkExpiry(final) {
    if (!config || !config.useExpiry) return null;
    var error = Cards.checkExpiry(el.month.value, el.year.value, today, final);
    setError("expiry", error);
    return error;
  }

  function checkCvv(final) {
    if (!config || !config.useCvv) return null;
    var error = Cards.checkCvv(el.cvv.value, Cards.brandOf(Cards.digitsOf(el.number.value)), final);
    setError("cvv", error, el.cvv);
    return error;
  }

  function reportChange() {
    var card = Cards.checkNumber(el.number.value, true);
    var expiryError = config && config.useExpiry
      ? Cards.checkExpiry(el.month.value, el.year.value, today, true) : null;
    var cvvError = config && config.useCvv
      ? Cards.checkCvv(el.cvv.value, card.brand, true) : null;
    send("change", {
      state: {
        brand: card.brand,
        complete: card.complete && !expiryError && !cvvError,
        fields: {
          card: { valid: card.complete, empty: !card.digits },
          expiry: { valid: !expiryError, empty: !(el.month.value || el.year.value) },
          cvv: { valid: !cvvError, empty: !el.cvv.value }
        }
      }
    });
  }

  el.number.addEventListener("input", function () {
    var atEnd = el.number.selectionStart === el.number.value.length;
    var digits = el.number.value.replace(/\D/g, "");
    var brand = Cards.brandOf(digits);
    digits = digits.slice(0, Cards.maxLength(brand));
    var formatted = Cards.format(digits, brand);
    if (formatted !== el.number.value && atEnd) el.number.value = formatted;
    el.cvv.maxLength = Cards.cvvLength(brand);
    checkCard(touched.card);
    if (el.cvv.value) checkCvv(touched.cvv);
    reportChange();
  });
  el.number.addEventListener("blur", function () {
    if (el.number.value) touched.card = true;
    if (touched.card) checkCard(true);
  });
  [el.month, el.year].forEach(function (select) {
    select.addEventListener("change", function () {
      if (el.month.value && el.year.value) touched.expiry = true;
      checkExpiry(touched.expiry);
      reportChange();
    });
  });
  el.cvv.addEventListener("input", function () {
    var digits = el.cvv.value.replace(/\D/g, "");
    if (digits !== el.cvv.value) el.cvv.value = digits;
    checkCvv(touched.cvv);
    reportChange();
  });
  el.cvv.addEventListener("blur", function () {
    if (el.cvv.value) touched.cvv = true;
    if (touched.cvv) checkCvv(true);
  });
  el.form.addEventListener("submit", function (event) { event.preventDefault(); });

  /* ------------------------------------------------------------ bank checks */

  function abaValid(digits) {
    if (!/^\d{9}$/.test(digits)) return false;
    var weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
    var total = 0;
    for (var i = 0; i < 9; i++) total += weights[i] * Number(digits.charAt(i));
    return total % 10 === 0;
  }

  function bankErrors(final) {
    var errors = {};
    var routing = el.routing.value;
    var account = el.account.value;
    if (routing.length === 9 || (final && routing)) {
      if (!abaValid(routing)) errors.routing = "Enter a valid 9-digit routing number";
    } else if (final) {
      errors.routing = "Enter the routing number";
    }
    if (final && !/^\d{4,17}$/.test(account)) errors.account = "Enter the account number (4 to 17 digits)";
    if ((final || el.repeat.value.length >= account.length) && el.repeat.value !== account) {
      errors.repeat = "The account numbers do not match";
    }
    if (final && !el.name.value.trim()) errors.name = "Enter the account holder's name";
    return errors;
  }

  function showBankErrors(errors, only) {
    Object.keys(bankInput).forEach(function (key) {
      if (only && only.indexOf(key) < 0) return;
      setError(key, errors[key] || "", bankInput[key]);
    });
  }

  [el.routing, el.account, el.repeat].forEach(function (input) {
    input.addEventListener("input", function () {
      var digits = input.value.replace(/\D/g, "");
      if (digits !== input.value) input.value = digits;
      var shown = [];
      if (el.routing.value) shown.push("routing");
      if (el.repeat.value) shown.push("repeat");
      showBankErrors(bankErrors(false), shown.length ? shown : ["routing"]);
    });
  });

  var BANK_SERVER_FIELDS = {
    routing_number: "routing",
    account_number: "account",
    repeated_account_number: "repeat",
    name: "name"
  };

  function consumeBank(last4) {
    consumed = true;
    el.account.value = el.repeat.value = "\u2022\u2022\u2022\u2022 " + last4;
    [el.routing, el.account, el.repeat, el.accountType, el.name, el.entryClass,
      el.methodCard, el.methodBank].forEach(function (node) { node.disabled = true; });
  }

  function tokenizeBank(requestId) {
    var errors = bankErrors(true);
    showBankErrors(errors);
    if (!config.publicKey) errors.publicKey = "Runner was initialised without a publicKey";
    var names = Object.keys(errors);
    if (names.length) {
      var input = bankInput[names[0]];
      if (input) input.focus();
      return answer(requestId, emptyResult(errors[names[0]], errors));
    }
    var payload = {
      routing_number: el.routing.value,
      account_number: el.account.value,
      repeated_account_number: el.repeat.value,
      account_type: el.accountType.value,
      name: el.name.value.trim(),
      entry_class: el.entryClass.value
    };
    busy = true;
    fetch(TOKENIZE_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + config.publicKey },
      body: JSON.stringify(payload),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data || {} };
      });
    }).then(function (reply) {
      busy = false;
      var data = reply.data;
      if (!reply.ok) {
        var serverErrors = {};
        var fields = data.errors || {};
        Object.keys(fields).forEach(function (name) {
          var ours = BANK_SERVER_FIELDS[name];
          if (ours) serverErrors[ours] = [].concat(fields[name]).join(", ");
        });
        showBankErrors(serverErrors);
        var message = data.message || "The account could not be tokenized (HTTP " + reply.status + ")";
        return answer(requestId, emptyResult(message, serverErrors));
      }
      // Ruling R15: a risk decline (D) answers an empty account_token, not an error.
      var result = {
        account_token: data.account_token || "",
        token: data.token || data.account_token || "",
        expiry: "",
        card_info: {},
        bank_account: data.bank_account || null,
        risk_info: data.risk_info || null
      };
      if (result.account_token) consumeBank((data.bank_account && data.bank_account.last4) || "");
      answer(requestId, result);
    }, function () {
      busy = false;
      answer(requestId, emptyResult("The tokenizer could not be reached; check the connection"));
    });
  }

  /* ------------------------------------------------------------ tokenize */

  function emptyResult(message, errors) {
    return {
      account_token: "",
      token: "",
      expiry: "",
      card_info: {},
      bank_account: null,
      risk_info: null,
      cvv: "",
      error: message,
      errors: errors || {}
    };
  }

  function answer(requestId, result) {
    send("tokenized", { requestId: requestId, result: result });
  }

  function focusFirstInvalid() {
    var order = [el.number, el.month, el.year, el.cvv];
    for (var i = 0; i < order.length; i++) {
      if (order[i].getAttribute("aria-invalid") === "true") { order[i].focus(); return; }
    }
  }

  function consume(last4) {
    consumed = true;
    el.number.value = "\u2022\u2022\u2022\u2022 " + last4;
    el.cvv.value = el.cvv.value ? "\u2022\u2022\u2022" : "";
    [el.number, el.month, el.year, el.cvv].forEach(function (node) { node.disabled = true; });
  }

  var SERVER_FIELDS = { account_number: "card", expiry: "expiry", cvv: "cvv" };

  function tokenize(requestId) {
    if (!config) return answer(requestId, emptyResult("The card form is not ready yet"));
    if (consumed) {
      return answer(requestId, emptyResult(
        "These card fields were already used; create a new Runner to take another card"));
    }
    if (busy) return answer(requestId, emptyResult("A tokenize call is already running"));
    if (bankMode) return tokenizeBank(requestId);
    touched = { card: true, expiry: true, cvv: true };
    var card = checkCard(true);
    var expiryError = checkExpiry(true);
    var cvvError = checkCvv(true);
    var errors = {};
    if (card.error) errors.card = card.error;
    if (expiryError) errors.expiry = expiryError;
    if (cvvError) errors.cvv = cvvError;
    if (!config.publicKey) errors.publicKey = "Runner was initialised without a publicKey";
    if (Object.keys(errors).length) {
      focusFirstInvalid();
      var first = errors.card || errors.expiry || errors.cvv || errors.publicKey;
      return answer(requestId, emptyResult(first, errors));
    }
    // expiry null: the endpoint tokenizes the number alone (useExpiry off).
    var payload = { account_number: card.digits, expiry: null };
    if (config.useExpiry) {
      payload.expiry = ("0" + el.month.value).slice(-2) + String(el.year.value).slice(-2);
    }
    var cvv = config.useCvv ? el.cvv.value : "";
    if (cvv) payload.cvv = cvv;
    busy = true;
    fetch(TOKENIZE_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + config.publicKey },
      body: JSON.stringify(payload),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data || {} };
      });
    }).then(function (reply) {
      busy = false;
      if (!reply.ok || !reply.data.account_token) {
        var serverErrors = {};
        var fields = reply.data.errors || {};
        Object.keys(fields).forEach(function (name) {
          var ours = SERVER_FIELDS[name];
          var message = [].concat(fields[name]).join(", ");
          if (ours) {
            serverErrors[ours] = message;
            setError(ours, message, ours === "card" ? el.number : ours === "cvv" ? el.cvv : null);
          }
        });
        var message = reply.data.message || "The card could not be tokenized (HTTP " + reply.status + ")";
        return answer(requestId, emptyResult(message, serverErrors));
      }
      var data = reply.data;
      var result = {
        account_token: data.account_token,
        token: data.token || data.account_token,
        expiry: data.expiry || "",
        card_info: data.card_info || {},
        bank_account: null,
        risk_info: null,
        cvv: config.returnCvv ? cvv : ""
      };
      consume((data.card_info && data.card_info.last_four) || card.digits.slice(-4));
      answer(requestId, result);
    }, function () {
      busy = false;
      answer(requestId, emptyResult("The tokenizer could not be reached; check the connection"));
    });
  }

  /* ------------------------------------------------------------ size */

  function height() {
    return Math.ceil(document.documentElement.getBoundingClientRect().height);
  }

  function watchHeight() {
    var last = height();
    var check = function () {
      var now = height();
      if (now !== last) { last = now; send("resize", { height: now }); }
    };
    if (window.ResizeObserver) new ResizeObserver(check).observe(document.documentElement);
    else window.setInterval(check, 250);
  }

  /* ------------------------------------------------------------ wiring */

  if (!trustedParent()) {
    showProblem(el.problem.textContent.trim() ||
      "This card form only works inside the page that opened it with Runner.js.");
    return;
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== parentOrigin) return;
    var data = event.data;
    if (!data || data.homerun !== "runner" || data.channel !== channel) return;
    if (data.type === "init" && !config) applyConfig(data.config || {});
    else if (data.type === "tokenize") tokenize(data.requestId);
  });
  send("ready");
})();
