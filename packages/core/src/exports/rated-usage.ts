import * as BigDecimal from "effect/BigDecimal"
import { formatDecimal, roundToMinorUnit } from "../shared/money.js"
import type { ExportRow, RatedUsageLine } from "./model.js"

/**
 * A usage line's rated amount shared out over its days in proportion to each day's quantity.
 * A tiered price has no per-day price, so each day gets the rounded share of everything up to
 * and including it minus the rounded share of everything before it: the days' amounts are whole
 * minor units and always sum to the line's amount exactly, as finance checks.
 */
export const allocateByDay = (line: RatedUsageLine): ReadonlyArray<ExportRow> => {
  const total = line.days.reduce((sum, day) => BigDecimal.sum(sum, day.quantity), BigDecimal.fromBigInt(0n))
  const row = (date: string, quantity: BigDecimal.BigDecimal, amount: BigDecimal.BigDecimal): ExportRow => ({
    usage_date: date,
    ...line.row,
    quantity: formatDecimal(BigDecimal.normalize(quantity)),
    rated_amount: formatDecimal(roundToMinorUnit(amount, line.currency))
  })
  // Nothing to share by (no records, or only zeros): the whole amount (a flat fee) on one day.
  if (!BigDecimal.isPositive(total)) {
    return [row(line.days[0]?.date ?? line.first_day, total, line.amount)]
  }
  const shareUpTo = (cumulative: BigDecimal.BigDecimal) =>
    roundToMinorUnit(BigDecimal.unsafeDivide(BigDecimal.multiply(line.amount, cumulative), total), line.currency)
  let cumulative = BigDecimal.fromBigInt(0n)
  let before = BigDecimal.fromBigInt(0n)
  return line.days.map((day) => {
    cumulative = BigDecimal.sum(cumulative, day.quantity)
    const upTo = shareUpTo(cumulative)
    const amount = BigDecimal.subtract(upTo, before)
    before = upTo
    return row(day.date, day.quantity, amount)
  })
}
