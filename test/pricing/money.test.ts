import { describe, expect, it } from "vitest";
import { amountCents, formatUnitPrice, formatUsd, toCents } from "../../src/plan/money.js";

describe("money", () => {
  it("writes amounts as $1,234.56", () => {
    expect(formatUsd(1234.56)).toBe("$1,234.56");
    expect(formatUsd(1234567.5)).toBe("$1,234,567.50");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(8.18)).toBe("$8.18");
  });

  it("keeps a unit price's fractions of a cent", () => {
    expect(formatUnitPrice(0.909)).toBe("$0.909");
    expect(formatUnitPrice(1.04)).toBe("$1.04");
    expect(formatUnitPrice(1)).toBe("$1.00");
  });

  it("multiplies exactly and rounds once, to cents", () => {
    expect(amountCents(1000, 0.909)).toBe(90900);
    expect(amountCents(9, 0.909)).toBe(818); // 8.181
    expect(amountCents(5, 0.573)).toBe(287); // 2.865 rounds half up
    expect(amountCents(1_000_000, 1.32)).toBe(132_000_000);
    expect(amountCents(3, 0.1 + 0.2)).toBe(90); // 0.30000000000000004 is 30 cents a piece
    expect(toCents(909.0)).toBe(90900);
  });
});
