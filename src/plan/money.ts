import { formatDecimal } from "../core/en-us.js";

/**
 * Money arithmetic for cost estimates. Prices are held as integer micro-dollars while they are
 * added and multiplied, so $0.909 × 1,000 pieces is exactly $909.00 and a budget compares exactly
 * at the edge (equal passes, one cent over does not); amounts are rounded to cents once, at the end.
 */

const MICROS_PER_DOLLAR = 1_000_000;
const MICROS_PER_CENT = 10_000;

export function toMicros(dollars: number): number {
  return Math.round(dollars * MICROS_PER_DOLLAR);
}

/** Whole cents of an amount in dollars (a budget or an amount already in cents). */
export function toCents(dollars: number): number {
  return Math.round(dollars * 100);
}

/** pieces × unit price, in whole cents (half a cent rounds up). */
export function amountCents(pieces: number, unitPrice: number): number {
  return Math.round((pieces * toMicros(unitPrice)) / MICROS_PER_CENT);
}

export function centsToDollars(cents: number): number {
  return cents / 100;
}

/** `$1,234.56`: always two decimals, thousands separated. */
export function formatUsd(dollars: number): string {
  const sign = dollars < 0 ? "-" : "";
  return `${sign}$${formatDecimal(Math.abs(dollars), 2, 2)}`;
}

/** A per-piece price keeps its fractions of a cent: `$0.909`, `$1.04`, `$1.00`. */
export function formatUnitPrice(dollars: number): string {
  return `$${formatDecimal(dollars, 2, 4)}`;
}
