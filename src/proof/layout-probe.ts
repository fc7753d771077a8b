/**
 * Runs inside the proof's page (as source text: the page is a browser, not Node) and reports what the
 * checks need from the browser's own layout: external stylesheets, and every piece of ink (text
 * runs and images) with its box in CSS pixels and a selector for its element.
 *
 * Selectors must never carry a recipient's value (a `class="{{tier}}"` would): an id or class is
 * used only when it is written literally in the unmerged artwork and holds none of the row's values;
 * otherwise the element is named by tag and position (`div:nth-of-type(2)`).
 */
export interface InkBox {
  readonly selector: string;
  readonly kind: "text" | "image";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LayoutProbeResult {
  readonly externalStylesheets: number;
  readonly ink: readonly InkBox[];
  readonly scrollHeight: number;
}

export interface LayoutProbeInput {
  /** The artwork before merging: ids and classes written there literally are safe to show. */
  readonly template: string;
  /** The row's values, to keep out of selectors. */
  readonly values: readonly string[];
}

const PROBE = String.raw`
(function (input) {
  var doc = document;
  var safeToken = function (token) {
    if (!token || input.template.indexOf(token) < 0) return false;
    for (var i = 0; i < input.values.length; i++) {
      var v = input.values[i];
      if (v.length > 0 && (token.indexOf(v) >= 0 || v.indexOf(token) >= 0)) return false;
    }
    return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(token);
  };
  var selectorOf = function (el) {
    var parts = [];
    while (el && el.nodeType === 1 && el !== doc.documentElement) {
      var tag = el.tagName.toLowerCase();
      if (el.id && safeToken(el.id)) { parts.unshift("#" + el.id); break; }
      var classes = Array.prototype.filter.call(el.classList, safeToken);
      var part = tag + (classes.length ? "." + classes.join(".") : "");
      var parent = el.parentElement;
      if (parent) {
        var same = Array.prototype.filter.call(parent.children, function (c) { return c.tagName === el.tagName; });
        if (same.length > 1) part += ":nth-of-type(" + (same.indexOf(el) + 1) + ")";
      }
      parts.unshift(part);
      el = parent;
    }
    return parts.join(" > ") || "html";
  };
  var visible = function (el) {
    var style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none" && parseFloat(style.opacity) > 0;
  };
  var ink = [];
  var push = function (el, kind, r) {
    if (r.width <= 0 || r.height <= 0) return;
    ink.push({ selector: selectorOf(el), kind: kind, x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height });
  };
  var walker = doc.createTreeWalker(doc.body || doc.documentElement, NodeFilter.SHOW_TEXT);
  var node;
  while ((node = walker.nextNode())) {
    if (!node.nodeValue || !/\S/.test(node.nodeValue)) continue;
    var parent = node.parentElement;
    if (!parent || !visible(parent) || /^(SCRIPT|STYLE|NOSCRIPT|TITLE)$/.test(parent.tagName)) continue;
    var range = doc.createRange();
    range.selectNodeContents(node);
    var rects = range.getClientRects();
    for (var i = 0; i < rects.length; i++) push(parent, "text", rects[i]);
  }
  var images = doc.querySelectorAll("img, svg, canvas, video, picture");
  for (var j = 0; j < images.length; j++) {
    if (visible(images[j])) push(images[j], "image", images[j].getBoundingClientRect());
  }
  var all = doc.querySelectorAll("body *");
  for (var k = 0; k < all.length; k++) {
    var bg = getComputedStyle(all[k]).backgroundImage;
    if (bg && bg !== "none" && visible(all[k])) push(all[k], "image", all[k].getBoundingClientRect());
  }
  var external = 0;
  var links = doc.querySelectorAll("link");
  for (var m = 0; m < links.length; m++) if (/(^|\s)stylesheet(\s|$)/i.test(links[m].rel)) external++;
  var styles = doc.querySelectorAll("style");
  for (var n = 0; n < styles.length; n++) if (/@import\s/i.test(styles[n].textContent || "")) external++;
  var root = doc.documentElement;
  return { externalStylesheets: external, ink: ink, scrollHeight: Math.max(root.scrollHeight, doc.body ? doc.body.scrollHeight : 0) };
})`;

/** The expression to evaluate in the page. */
export function layoutProbe(input: LayoutProbeInput): string {
  return `${PROBE}(${JSON.stringify(input)})`;
}
