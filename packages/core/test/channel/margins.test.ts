import { describe, expect, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import { marginRows, monthModel } from "../../src/channel/margins"
import { upstreamGroups } from "../../src/channel/upstream"
import type { MarginAmount, PendingCost } from "../../src/channel/ports"
import { type Currency, formatDecimal } from "../../src/shared/money"

/** The pure parts of channel economics: margins merged per plan or SKU, pending costs grouped per invoice. */

const d = BigDecimal.unsafeFromString
const amount = (plan_id: string | null, sku_id: string | null, value: string, currency: Currency = "EUR"): MarginAmount =>
  ({ plan_id, sku_id, currency, amount: d(value) })
const show = (m: { readonly amount: BigDecimal.BigDecimal }) => formatDecimal(m.amount)

describe("margins", () => {
  it("merges revenue and cost per plan or SKU, plans first, and totals them (the worked example)", () => {
    const { rows, totals, currency } = marginRows(
      [amount(null, "sku_minutes", "21"), amount("pln_seat", null, "149.88")],
      [amount("pln_seat", null, "105.00"), amount(null, "sku_minutes", "12.600")]
    )
    expect(currency).toBe("EUR")
    expect(rows.map((r) => [r.plan_id ?? r.sku_id, show(r.revenue), show(r.cost), show(r.margin)])).toEqual([
      ["pln_seat", "149.88", "105.00", "44.88"],
      ["sku_minutes", "21.00", "12.60", "8.40"]
    ])
    expect(totals && [show(totals.revenue), show(totals.cost), show(totals.margin)]).toEqual(["170.88", "117.60", "53.28"])
  })

  it("a cost with no revenue is a negative margin; several currencies have no one total", () => {
    const only = marginRows([], [amount("pln_a", null, "7")])
    expect(only.rows.map((r) => show(r.margin))).toEqual(["-7.00"])
    const mixed = marginRows([amount("pln_a", null, "1"), amount("pln_a", null, "1", "USD")], [])
    expect(mixed.rows).toHaveLength(2)
    expect(mixed.totals).toBeNull()
    expect(marginRows([], []).totals).toBeNull()
  })

  it("a partner's commission (what it sold as an agent) has no row and adds to the totals' revenue, rounded once", () => {
    const agency = marginRows([], [], [{ currency: "EUR", amount: d("10.005") }])
    expect(agency.rows).toEqual([])
    expect(agency.totals && [show(agency.totals.revenue), show(agency.totals.cost), show(agency.totals.margin)])
      .toEqual(["10.01", "0.00", "10.01"])
    // A month that changed model: the reseller's rows, and its commission in the totals.
    const both = marginRows([amount("pln_a", null, "10.00")], [amount("pln_a", null, "8.40")], [{ currency: "EUR", amount: d("1.2") }])
    expect(both.rows.map((r) => show(r.margin))).toEqual(["1.60"])
    expect(both.totals && [show(both.totals.revenue), show(both.totals.cost), show(both.totals.margin)]).toEqual(["11.20", "8.40", "2.80"])
    expect(marginRows([amount("pln_a", null, "1")], [], [{ currency: "USD", amount: d("1") }]).totals).toBeNull()
  })

  it("a partner's month is under the model its invoices were issued under; mixed or empty, its setting", () => {
    expect(monthModel(true, false, "agency")).toBe("reseller")
    expect(monthModel(false, true, "reseller")).toBe("agency")
    expect(monthModel(true, true, "agency")).toBe("agency")
    expect(monthModel(false, false, "reseller")).toBe("reseller")
  })
})

describe("upstream invoices", () => {
  const cost = (seller: string, buyer: string, item: string, value: string, currency: Currency = "EUR"): PendingCost => ({
    seller_account_id: seller,
    buyer_account_id: buyer,
    buyer_lineage: ["acc_platform", buyer],
    currency,
    plan_id: item.startsWith("pln") ? item : null,
    sku_id: item.startsWith("sku") ? item : null,
    description: item,
    quantity: d("10"),
    amount: d(value)
  })

  it("one invoice per seller, buyer and currency, in a fixed order, its lines in the order read", () => {
    const groups = upstreamGroups([
      cost("acc_d", "acc_p", "pln_seat", "84.00"),
      cost("acc_platform", "acc_d", "pln_seat", "70.00"),
      cost("acc_d", "acc_p", "sku_minutes", "12.60"),
      cost("acc_d", "acc_p", "pln_seat", "5.00", "USD")
    ])
    expect(groups.map((g) => [g.seller_account_id, g.buyer_account_id, g.currency, g.costs.map((c) => c.description)])).toEqual([
      ["acc_d", "acc_p", "EUR", ["pln_seat", "sku_minutes"]],
      ["acc_d", "acc_p", "USD", ["pln_seat"]],
      ["acc_platform", "acc_d", "EUR", ["pln_seat"]]
    ])
  })
})
