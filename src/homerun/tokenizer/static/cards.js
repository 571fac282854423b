/* Homerun card checks for the browser: brand, Luhn, length, CVV and expiry.
 * The same rules as homerun.kit.cards on the server; used by the Runner.js frame
 * and the hosted payment page. No card number ever leaves the page from here. */
(function (global) {
  "use strict";

  var BRANDS = {
    VISA: { label: "Visa", lengths: [13, 16, 19], cvv: 3, gaps: [4, 8, 12, 16] },
    MASTERCARD: { label: "Mastercard", lengths: [16], cvv: 3, gaps: [4, 8, 12] },
    AMEX: { label: "American Express", lengths: [15], cvv: 4, gaps: [4, 10] },
    DISCOVER: { label: "Discover", lengths: [16, 19], cvv: 3, gaps: [4, 8, 12, 16] }
  };

  function digitsOf(text) {
    return String(text == null ? "" : text).replace(/[\s-]/g, "");
  }

  function prefix(d, n) {
    return d.length >= n ? parseInt(d.slice(0, n), 10) : -1;
  }

  /* The brand from the leading digits (IIN ranges), or null while unknown. */
  function brandOf(d) {
    if (/^4/.test(d)) return "VISA";
    var two = prefix(d, 2), three = prefix(d, 3), four = prefix(d, 4), six = prefix(d, 6);
    if ((two >= 51 && two <= 55) || (six >= 222100 && six <= 272099)) return "MASTERCARD";
    if (two === 34 || two === 37) return "AMEX";
    if (four === 6011 || two === 65 || (three >= 644 && three <= 649) ||
        (six >= 622126 && six <= 622925)) return "DISCOVER";
    return null;
  }

  function luhn(d) {
    if (!/^\d+$/.test(d)) return false;
    var sum = 0;
    for (var i = 0; i < d.length; i++) {
      var n = d.charCodeAt(d.length - 1 - i) - 48;
      if (i % 2 === 1) { n *= 2; if (n > 9) n -= 9; }
      sum += n;
    }
    return sum % 10 === 0;
  }

  function maxLength(brand) {
    return brand ? Math.max.apply(null, BRANDS[brand].lengths) : 19;
  }

  /* Check a card number. `final` is false while the shopper is still typing:
   * then only certain problems are reported (letters, an unknown brand, a
   * complete number that fails the check digit). */
  function checkNumber(text, final) {
    var d = digitsOf(text);
    var result = { digits: d, brand: null, complete: false, error: null };
    if (!d) {
      if (final) result.error = "Enter the card number";
      return result;
    }
    if (!/^\d+$/.test(d)) {
      result.error = "A card number has only digits";
      return result;
    }
    var brand = brandOf(d);
    result.brand = brand;
    if (!brand) {
      if (final || d.length >= 6) {
        result.error = "Enter a Visa, Mastercard, American Express or Discover card number";
      }
      return result;
    }
    var lengths = BRANDS[brand].lengths;
    if (d.length > maxLength(brand)) {
      result.error = "This " + BRANDS[brand].label + " number has too many digits";
      return result;
    }
    var fits = lengths.indexOf(d.length) >= 0;
    if (fits && luhn(d)) {
      result.complete = true;
      return result;
    }
    // A full-length number that fails the check digit is flagged at once; a
    // longer number may still follow (19-digit Visa), and typing on clears it.
    if (fits && (d.length >= 15 || final)) {
      result.error = "This card number is not valid; check it and try again";
    } else if (final) {
      result.error = "This card number is too short";
    }
    return result;
  }

  function cvvLength(brand) {
    return brand ? BRANDS[brand].cvv : 3;
  }

  function checkCvv(text, brand, final) {
    var v = String(text == null ? "" : text).trim();
    var want = cvvLength(brand);
    if (!v) return final ? "Enter the security code" : null;
    if (!/^\d+$/.test(v)) return "The security code has only digits";
    if (v.length > want || (final && v.length !== want)) {
      return "Enter the " + want + "-digit security code" +
        (brand === "AMEX" ? " from the front of the card" : " from the back of the card");
    }
    return null;
  }

  /* today: {year: 2026, month: 11}. A card is good through its expiry month. */
  function checkExpiry(month, year, today, final) {
    month = parseInt(month, 10);
    year = parseInt(year, 10);
    if (!month || !year) return final ? "Enter the expiry date" : null;
    if (year < 100) year += 2000;
    if (month < 1 || month > 12) return "Enter a month from 01 to 12";
    if (year < today.year || (year === today.year && month < today.month)) {
      return "This card has expired";
    }
    if (year > today.year + 25) return "Enter a valid expiry year";
    return null;
  }

  /* "MM/YY", "MM / YY", "MMYY", "MM/YYYY" -> {month, year} or null. */
  function parseExpiryText(text) {
    var t = String(text == null ? "" : text).replace(/\s/g, "");
    var m = /^(\d{1,2})\/?(\d{2}|\d{4})$/.exec(t);
    if (!m || (t.indexOf("/") < 0 && m[1].length !== 2)) return null;
    var year = parseInt(m[2], 10);
    return { month: parseInt(m[1], 10), year: year < 100 ? 2000 + year : year };
  }

  function parseToday(text) {
    var m = /^(\d{4})-(\d{2})$/.exec(text || "");
    var now = new Date();
    return m ? { year: +m[1], month: +m[2] } : { year: now.getFullYear(), month: now.getMonth() + 1 };
  }

  /* Digits grouped the way the brand prints them: 4111 1111 1111 1111, 3782 822463 10005. */
  function format(d, brand) {
    var gaps = brand ? BRANDS[brand].gaps : [4, 8, 12, 16];
    var out = "";
    for (var i = 0; i < d.length; i++) {
      if (i > 0 && gaps.indexOf(i) >= 0) out += " ";
      out += d.charAt(i);
    }
    return out;
  }

  function label(brand) {
    return brand ? BRANDS[brand].label : "";
  }

  global.HomerunCards = {
    digitsOf: digitsOf,
    brandOf: brandOf,
    luhn: luhn,
    maxLength: maxLength,
    checkNumber: checkNumber,
    cvvLength: cvvLength,
    checkCvv: checkCvv,
    checkExpiry: checkExpiry,
    parseExpiryText: parseExpiryText,
    parseToday: parseToday,
    format: format,
    label: label
  };
})(window);
