import * as BigDecimal from "effect/BigDecimal"
import { type Currency, minorUnits, money, roundToMinorUnit } from "../shared/money.js"
import type { ChannelModel } from "../identity/model.js"
import { MarginRow, MarginTotals } from "./model.js"
import type { MarginAmount, MarginCommission } from "./ports.js"

/**
 * A tier's margins, pure: revenue and cost per plan or SKU (from MarginRepo), margin = revenue -
 * cost, each rounded to the currency's minor unit once. Totals sum the rows of one currency;
 * with several currencies (a tier selling in more than one) there is no one total: null.
 * `commission`: a partner's commission on what it sold as an agent (no rows of its own), added to
 * the totals' revenue.
 */
export const marginRows = (
  revenue: ReadonlyArray<MarginAmount>,
  cost: ReadonlyArray<MarginAmount>,
  commission: ReadonlyArray<MarginCommission> = []
): { readonly rows: ReadonlyArray<MarginRow>; readonly totals: MarginTotals | null; readonly currency: Currency | null } => {
  const keyOf = (a: MarginAmount) => `${a.currency}\u0000${a.plan_id ?? ""}\u0000${a.sku_id ?? ""}`
  const merged = new Map<string, { plan_id: string | null; sku_id: string | null; currency: Currency; revenue: BigDecimal.BigDecimal; cost: BigDecimal.BigDecimal }>()
  const entry = (a: MarginAmount) => {
    const k = keyOf(a)
    const found = merged.get(k) ?? { plan_id: a.plan_id, sku_id: a.sku_id, currency: a.currency, revenue: zero(a.currency), cost: zero(a.currency) }
    merged.set(k, found)
    return found
  }
  for (const r of revenue) {
    const e = entry(r)
    e.revenue = BigDecimal.sum(e.revenue, r.amount)
  }
  for (const c of cost) {
    const e = entry(c)
    e.cost = BigDecimal.sum(e.cost, c.amount)
  }
  // Plans first, then SKUs, each by id: the order the upstream invoices' lines take.
  const order = (e: { currency: string; plan_id: string | null; sku_id: string | null }) =>
    `${e.currency}\u0000${e.plan_id === null ? `1${e.sku_id ?? ""}` : `0${e.plan_id}`}`
  const sorted = [...merged.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1))
  const rows = sorted.map((e) => amounts(e.revenue, e.cost, e.currency, { plan_id: e.plan_id, sku_id: e.sku_id }))
  const currencies = [...new Set([...sorted.map((e) => e.currency), ...commission.map((c) => c.currency)])]
  if (currencies.length !== 1) return { rows, totals: null, currency: null }
  const currency = currencies[0]!
  const total = (pick: (e: (typeof sorted)[number]) => BigDecimal.BigDecimal) => BigDecimal.sumAll(sorted.map(pick))
  const revenueTotal = BigDecimal.sum(total((e) => e.revenue), BigDecimal.sumAll(commission.map((c) => c.amount)))
  return { rows, totals: totalsOf(revenueTotal, total((e) => e.cost), currency), currency }
}

/**
 * The model a partner's month was sold under, read from what was issued, not from its setting
 * today: `reseller` when it had only its own invoices (and costs), `agency` when only invoices its
 * distributor issued for it (a commission); with both (the model changed within the month) or
 * neither, its current setting.
 */
export const monthModel = (
  resold: boolean,
  brokered: boolean,
  current: ChannelModel
): ChannelModel => (resold === brokered ? current : resold ? "reseller" : "agency")

const zero = (currency: Currency) => BigDecimal.make(0n, minorUnits(currency))

const amounts = (
  revenue: BigDecimal.BigDecimal,
  cost: BigDecimal.BigDecimal,
  currency: Currency,
  item: { readonly plan_id: string | null; readonly sku_id: string | null }
) => {
  const r = roundToMinorUnit(revenue, currency)
  const c = roundToMinorUnit(cost, currency)
  return new MarginRow({
    ...item,
    revenue: money(r, currency),
    cost: money(c, currency),
    margin: money(BigDecimal.subtract(r, c), currency)
  })
}

export const totalsOf = (revenue: BigDecimal.BigDecimal, cost: BigDecimal.BigDecimal, currency: Currency) => {
  const r = roundToMinorUnit(revenue, currency)
  const c = roundToMinorUnit(cost, currency)
  return new MarginTotals({ revenue: money(r, currency), cost: money(c, currency), margin: money(BigDecimal.subtract(r, c), currency) })
}
