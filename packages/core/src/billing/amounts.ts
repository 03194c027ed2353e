import * as BigDecimal from "effect/BigDecimal"
import { type Currency, roundToMinorUnit } from "../shared/money.js"

const decimal = (n: number) => BigDecimal.make(BigInt(n), 0)

/**
 * A recurring line's amount: unit price x quantity, x days / period days when the line covers
 * part of its period, rounded once to the minor unit. The customer's line (build.ts) and each
 * buyer's cost of it are the same sum at their own prices.
 */
export const proratedAmount = (
  unitPrice: BigDecimal.BigDecimal,
  quantity: BigDecimal.BigDecimal,
  proration: { readonly days: number; readonly period_days: number } | undefined,
  currency: Currency
): BigDecimal.BigDecimal => {
  const full = BigDecimal.multiply(unitPrice, quantity)
  return roundToMinorUnit(
    proration === undefined
      ? full
      : BigDecimal.unsafeDivide(BigDecimal.multiply(full, decimal(proration.days)), decimal(proration.period_days)),
    currency
  )
}
