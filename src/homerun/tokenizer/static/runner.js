/* Runner.js for Homerun: the Run Payments browser tokenizer, served by Homerun.
 *
 *   var runner = new Runner();
 *   runner.init({element: "#run-form", publicKey: "pk_...", mid: "...", env: "production",
 *                useExpiry: true, useCvv: true, css: {input: {width: "100%25"}}});
 *   runner.onLoaded(function () { ... });
 *   runner.tokenize(function (res) { res.account_token, res.expiry, res.card_info, ... });
 *
 * The card fields live in an iframe served by the same Homerun that served this
 * script. The page and the frame speak only through postMessage, each checking the
 * other's origin; the page never sees the card number, only the token. */
(function (global) {
  "use strict";

  if (global.Runner && global.Runner.homerun) return; // loaded twice: keep the first

  var FRAME_PATH = "/homerun/v1/tokenizer/frame";
  var TIMEOUT_MS = 30000;

  function scriptOrigin() {
    var script = document.currentScript;
    if (!script || !script.src) {
      var scripts = document.getElementsByTagName("script");
      for (var i = scripts.length - 1; i >= 0; i--) {
        if (/\/javascripts\/[^/]+\/runner\.js(\?|#|$)/.test(scripts[i].src || "")) {
          script = scripts[i];
          break;
        }
      }
    }
    try {
      return script && script.src ? new URL(script.src, global.location.href).origin : null;
    } catch (e) {
      return null;
    }
  }

  var HOMERUN_ORIGIN = scriptOrigin();

  function randomId() {
    var bytes = new Uint8Array(12);
    (global.crypto || global.msCrypto).getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += ("0" + bytes[i].toString(16)).slice(-2);
    return out;
  }

  function emptyResult(message) {
    return {
      account_token: "",
      token: "",
      expiry: "",
      card_info: {},
      bank_account: null,
      risk_info: null,
      cvv: "",
      error: message,
      errors: {}
    };
  }

  function later(callback, value) {
    global.setTimeout(function () { callback(value); }, 0);
  }

  /* Only plain strings, numbers and booleans cross to the frame. */
  function plain(value, depth) {
    if (value === null || value === undefined) return undefined;
    var type = typeof value;
    if (type === "string" || type === "number" || type === "boolean") return value;
    if (type !== "object" || depth > 2) return undefined;
    var out = {};
    Object.keys(value).forEach(function (key) {
      var item = plain(value[key], depth + 1);
      if (item !== undefined) out[key] = item;
    });
    return out;
  }

  var OPTION_NAMES = [
    "publicKey", "mid", "env", "useExpiry", "useCvv", "cardLabel", "expiryLabel", "cvvLabel",
    "cardPlaceholder", "cvvPlaceholder", "css", "returnCvv",
    // ACH (iStream): the bank-account fields' labels.
    "accountNumberLabel", "routingNumberLabel", "repeatedAccountNumberLabel", "accountTypeLabel",
    "customerNameLabel", "entryClassCodeLabel", "errorType"
  ];

  function Runner() {
    this._channel = randomId();
    this._frame = null;
    this._origin = null;
    this._options = {};
    this._loaded = false;
    this._loadedCallbacks = [];
    this._changeCallbacks = [];
    this._pending = {};
    this._queue = [];
    this._requests = 0;
    this._listener = this._onMessage.bind(this);
  }

  Runner.homerun = true;

  Runner.prototype.init = function (options) {
    options = options || {};
    var container = options.element;
    if (typeof container === "string") container = document.querySelector(container);
    if (!container || !container.appendChild) {
      throw new Error("Runner.init: `element` must be a CSS selector or an element on the page");
    }
    var origin = HOMERUN_ORIGIN;
    if (options.homerunUrl) origin = new URL(options.homerunUrl, global.location.href).origin;
    if (!origin) throw new Error("Runner.init: cannot tell which Homerun served runner.js");
    if (!options.publicKey && global.console) {
      global.console.error("Runner.init: `publicKey` is missing; tokenize() will fail");
    }
    this.destroy();
    this._origin = origin;
    this._options = options;
    this._loaded = false;

    var previous = container.querySelectorAll("iframe[data-homerun-runner]");
    for (var i = 0; i < previous.length; i++) previous[i].parentNode.removeChild(previous[i]);

    var frame = document.createElement("iframe");
    frame.src = origin + FRAME_PATH +
      "?origin=" + encodeURIComponent(global.location.origin) +
      "&channel=" + this._channel;
    frame.title = options.frameTitle || "Secure card entry";
    frame.setAttribute("data-homerun-runner", "");
    frame.setAttribute("scrolling", "no");
    frame.setAttribute("allowtransparency", "true");
    frame.style.width = "100%";
    frame.style.height = "200px";
    frame.style.border = "0";
    frame.style.display = "block";
    frame.style.overflow = "hidden";
    frame.style.background = "transparent";
    global.addEventListener("message", this._listener);
    container.appendChild(frame);
    this._frame = frame;
    return this;
  };

  Runner.prototype._post = function (message) {
    if (!this._frame || !this._frame.contentWindow) return;
    message.homerun = "runner";
    message.v = 1;
    message.channel = this._channel;
    this._frame.contentWindow.postMessage(message, this._origin);
  };

  Runner.prototype._config = function () {
    var options = this._options;
    var config = {};
    OPTION_NAMES.forEach(function (name) {
      var value = plain(options[name], 0);
      if (value !== undefined) config[name] = value;
    });
    return config;
  };

  Runner.prototype._onMessage = function (event) {
    if (!this._frame || event.source !== this._frame.contentWindow) return;
    if (event.origin !== this._origin) return;
    var data = event.data;
    if (!data || data.homerun !== "runner" || data.channel !== this._channel) return;
    if (data.type === "ready") {
      this._post({ type: "init", config: this._config() });
    } else if (data.type === "loaded") {
      this._resize(data.height);
      if (this._loaded) return;
      this._loaded = true;
      var callbacks = this._loadedCallbacks.splice(0);
      callbacks.forEach(function (callback) { later(callback); });
      var queued = this._queue.splice(0);
      for (var i = 0; i < queued.length; i++) this._post({ type: "tokenize", requestId: queued[i] });
    } else if (data.type === "resize") {
      this._resize(data.height);
    } else if (data.type === "change") {
      var state = data.state;
      this._changeCallbacks.forEach(function (callback) { later(callback, state); });
    } else if (data.type === "tokenized") {
      var done = this._pending[data.requestId];
      delete this._pending[data.requestId];
      if (done) done(data.result || emptyResult("The card form gave no answer"));
    }
  };

  Runner.prototype._resize = function (height) {
    height = parseInt(height, 10);
    if (this._frame && height > 0 && height < 2000) this._frame.style.height = height + 2 + "px";
  };

  Runner.prototype.onLoaded = function (callback) {
    if (typeof callback !== "function") return this;
    if (this._loaded) later(callback);
    else this._loadedCallbacks.push(callback);
    return this;
  };

  /* Homerun extension: called with {brand, complete, fields} as the shopper types. */
  Runner.prototype.onChange = function (callback) {
    if (typeof callback === "function") this._changeCallbacks.push(callback);
    return this;
  };

  Runner.prototype.tokenize = function (callback) {
    var done = typeof callback === "function" ? callback : function () {};
    if (!this._frame) {
      later(done, emptyResult("Runner: call init() before tokenize()"));
      return this;
    }
    var id = ++this._requests;
    var pending = this._pending;
    var timer = global.setTimeout(function () {
      if (!pending[id]) return;
      delete pending[id];
      done(emptyResult("The card form did not answer in time"));
    }, TIMEOUT_MS);
    pending[id] = function (result) {
      global.clearTimeout(timer);
      done(result);
    };
    if (this._loaded) this._post({ type: "tokenize", requestId: id });
    else this._queue.push(id);
    return this;
  };

  /* Homerun extension: remove the frame and stop listening. */
  Runner.prototype.destroy = function () {
    global.removeEventListener("message", this._listener);
    if (this._frame && this._frame.parentNode) this._frame.parentNode.removeChild(this._frame);
    this._frame = null;
    this._loaded = false;
    return this;
  };

  global.Runner = Runner;
})(window);
