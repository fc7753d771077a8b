import { describe, expect, it } from "vitest";
import { extractMergeVariables, isValidMergeVariableName } from "../../src/manifest/index.js";

describe("extractMergeVariables", () => {
  it("finds double and triple braces with 1-based positions of the opening braces", () => {
    const html = "<p>Hi {{first_name}}</p>\n<div>{{{address_html}}}</div>";
    expect(extractMergeVariables(html)).toEqual([
      { name: "first_name", line: 1, col: 7, whitespace: false },
      { name: "address_html", line: 2, col: 6, whitespace: false },
    ]);
  });

  it("ignores block closers, else, comments and partials but counts block helper arguments", () => {
    const html = "{{#if vip}}Gold{{else}}Blue{{/if}}{{! note }}{{!-- {{hidden}} --}}{{> footer}}";
    expect(extractMergeVariables(html).map((u) => u.name)).toEqual(["vip"]);
  });

  it("reports names written with spaces inside the braces", () => {
    const [use] = extractMergeVariables("x {{ code }} y");
    expect(use).toEqual({ name: "code", line: 1, col: 3, whitespace: true });
  });

  it("keeps inner spaces in the name so the name check can reject it", () => {
    const [use] = extractMergeVariables("{{first name}}");
    expect(use?.name).toBe("first name");
    expect(isValidMergeVariableName(use!.name)).toBe(false);
  });

  it("returns nothing for plain HTML and stops at an unclosed tag", () => {
    expect(extractMergeVariables("<p>{ not a var }</p>")).toEqual([]);
    expect(extractMergeVariables("{{open")).toEqual([]);
  });
});

describe("isValidMergeVariableName", () => {
  it("accepts letters, digits, underscores, dashes and dots", () => {
    for (const name of ["first_name", "code2", "gift-code", "user.name"])
      expect(isValidMergeVariableName(name)).toBe(true);
  });
  it("rejects characters Lob restricts", () => {
    for (const name of ["a!", "a#b", "x/y", "q?r=", "", "tab\tname"]) {
      expect(isValidMergeVariableName(name), name).toBe(false);
    }
  });
});
