import { describe, expect, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import { type BillableSubscription, type PlanPrice, recurringLines, segmentsOf } from "../../src/billing/build"
import { periodEndingIn } from "../../src/billing/months"
import { formatDecimal, money } from "../../src/shared/money"

/**
 * A price list applied `immediately` (docs/channel.md): the period in course is prorated at each
 * price, as a plan change is. November 2026 has 30 days.
 */

const utc = (iso: string) => DateTime.unsafeMake(iso) as DateTime.Utc
const eur = (amount: string) => money(BigDecimal.unsafeFromString(amount), "EUR")

const sub: BillableSubscription = {
  id: "sub_1",
  customer_id: "cus_1",
  product_id: "prd_1",
  parent_subscription_id: null,
  anchor: utc("2026-11-01T00:00:00Z"),
  time_zone: "UTC",
  interval: "month",
  created_at: utc("2026-11-01T00:00:00Z")
}

const plan = (changes?: PlanPrice["changes"]): PlanPrice => ({
  plan_id: "pln_seat", version: 1, name: "Seat", price: eur("10.00"), commitment_months: null, ...(changes ? { changes } : {})
})

const lines = (history: ReadonlyArray<{ at: string; quantity: number }>, price: PlanPrice) => {
  const period = periodEndingIn(sub, "2026-11")!
  const rows = history.map((h) => ({ effective_at: utc(h.at), quantity: h.quantity, plan_id: "pln_seat", plan_version: 1, status: "active" as const }))
  return recurringLines(sub, period, segmentsOf(sub, period, rows), () => price)
    .map(({ line }) => [line.kind, formatDecimal(line.unit_price!), formatDecimal(line.amount), line.details.days ?? null])
}

describe("price changes inside a period", () => {
  it("no change: one recurring line, as before", () => {
    expect(lines([{ at: "2026-11-01T00:00:00Z", quantity: 10 }], plan())).toEqual([["recurring", "10.00", "100.00", null]])
  })

  it("a price from the 16th: two prorations, 15 days each", () => {
    expect(lines([{ at: "2026-11-01T00:00:00Z", quantity: 10 }], plan([{ from: utc("2026-11-16T00:00:00Z"), price: eur("9.50") }])))
      .toEqual([["proration", "10.00", "50.00", 15], ["proration", "9.50", "47.50", 15]])
  })

  it("with a quantity change too: each segment cut at the price change", () => {
    const history = [{ at: "2026-11-01T00:00:00Z", quantity: 10 }, { at: "2026-11-11T00:00:00Z", quantity: 20 }]
    expect(lines(history, plan([{ from: utc("2026-11-21T00:00:00Z"), price: eur("9.00") }]))).toEqual([
      ["proration", "10.00", "33.33", 10], // 10 x 10.00 x 10/30
      ["proration", "10.00", "66.67", 10], // 20 x 10.00 x 10/30
      ["proration", "9.00", "60.00", 10] // 20 x 9.00 x 10/30
    ])
  })

  it("a change at the period's start or after its end cuts nothing", () => {
    expect(lines([{ at: "2026-11-01T00:00:00Z", quantity: 1 }], plan([{ from: utc("2026-12-01T00:00:00Z"), price: eur("1.00") }])))
      .toEqual([["recurring", "10.00", "10.00", null]])
  })
})
