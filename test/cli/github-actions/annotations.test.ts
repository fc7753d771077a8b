import { describe, expect, it } from "vitest";
import type { Annotation } from "../../../src/cli/github-actions/annotations.js";
import {
  escapeData,
  escapeProperty,
  formatAnnotation,
  groupedAnnotationLines,
  planAnnotations,
} from "../../../src/cli/github-actions/annotations.js";
import { anApplyPlan, aDestroyPlan } from "../../render/fixtures.js";

const error = (i: number, title = "SCHEMA"): Annotation => ({
  level: "error",
  title,
  message: `problem ${i}`,
  file: `m${i}.yaml`,
  line: i,
  col: 2,
});

describe("annotation escaping (GitHub's workflow-command rules)", () => {
  it("escapes %, CR and LF in data, and also : and , in properties", () => {
    expect(escapeData("100% done\r\nnext")).toBe("100%25 done%0D%0Anext");
    expect(escapeProperty("a:b,c%\n")).toBe("a%3Ab%2Cc%25%0A");
  });

  it("puts file, line, col and title in properties and the message after ::", () => {
    const line = formatAnnotation({
      level: "error",
      title: "campaignctl: spring blocked",
      message: "cannot change: sent\nhint: use a new key, 50% off",
      file: "dir,x/spring:1.yaml",
      line: 3,
      col: 5,
    });
    expect(line).toBe(
      "::error file=dir%2Cx/spring%3A1.yaml,line=3,col=5,title=campaignctl%3A spring blocked::cannot change: sent%0Ahint: use a new key, 50%25 off",
    );
    expect(line.split("\n")).toHaveLength(1);
  });

  it("leaves out line and col for a whole-file problem, and file when there is none", () => {
    expect(
      formatAnnotation({ level: "warning", title: "T", message: "m", file: "a.csv", line: 0, col: 0 }),
    ).toBe("::warning file=a.csv,title=T::m");
    expect(formatAnnotation({ level: "error", title: "T", message: "m" })).toBe("::error title=T::m");
  });
});

describe("annotation grouping (GitHub shows 10 of each kind per step)", () => {
  it("emits a few of each level individually, then one that counts the rest by title", () => {
    const annotations = [
      ...Array.from({ length: 20 }, (_, i) => error(i + 1)),
      ...Array.from({ length: 3 }, (_, i) => error(i + 30, "DUPLICATE_KEY")),
      ...Array.from({ length: 12 }, (_, i) => ({
        ...error(i + 50, "ROWS_FAILING"),
        level: "warning" as const,
      })),
    ];
    const lines = groupedAnnotationLines(annotations);
    const errors = lines.filter((l) => l.startsWith("::error"));
    const warnings = lines.filter((l) => l.startsWith("::warning"));
    expect(errors).toHaveLength(6);
    expect(warnings).toHaveLength(6);
    expect(errors.slice(0, 5)).toEqual(annotations.slice(0, 5).map(formatAnnotation));
    expect(errors[5]).toBe(
      "::error title=campaignctl%3A 18 more errors::SCHEMA ×15, DUPLICATE_KEY ×3. Every one is in the log above and in the job summary.",
    );
    expect(warnings[5]).toContain("title=campaignctl%3A 7 more warnings::ROWS_FAILING ×7.");
  });

  it("adds no summary when a level has few annotations", () => {
    const lines = groupedAnnotationLines([error(1), error(2)]);
    expect(lines).toEqual([formatAnnotation(error(1)), formatAnnotation(error(2))]);
  });
});

describe("plan annotations", () => {
  it("marks blocked actions as errors on the manifest and row skips as warnings on the CSV, by rule and count", () => {
    const apply = anApplyPlan();
    const withSkips = {
      ...apply,
      campaigns: apply.campaigns.map((c) =>
        c.key === "summer"
          ? {
              ...c,
              audienceSkips: [
                { rule: "address_zip (column 'z') must be 12345", count: 3, file: "aud.csv", line: 7 },
              ],
            }
          : c,
      ),
    };
    expect(planAnnotations(withSkips)).toEqual([
      {
        level: "warning",
        title: "ROWS_FAILING",
        message: "summer: 3 rows will be skipped by Lob: address_zip (column 'z') must be 12345",
        file: "aud.csv",
        line: 7,
        col: 1,
      },
    ]);
    const destroy = planAnnotations(aDestroyPlan());
    expect(destroy).toHaveLength(1);
    expect(destroy[0]).toMatchObject({ level: "error", title: "campaignctl: closed blocked" });
    expect(destroy[0]!.file).toBeUndefined(); // "state" names no file
  });
});
