import { describe, expect, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import {
  type BillableSubscription,
  creditLines,
  type HistoryRow,
  oneOffLines,
  type PlanPrice,
  type SkuPricing,
  subscriptionLines,
  totalsOf
} from "../../src/billing/build"
import { billingMonthOf, monthBounds, periodEndingIn } from "../../src/billing/months"
import type { InvoiceLine } from "../../src/invoices/model"
import { formatDecimal, money } from "../../src/shared/money"

/**
 * The worked examples of docs/billing.md. November 2026 has 30 days; every subscription is
 * anchored on the 1st at midnight UTC, so its November period runs Nov 1 -> Dec 1 and is billed
 * in the 2026-11 run.
 */

const utc = (iso: string) => DateTime.unsafeMake(iso) as DateTime.Utc
const d = (text: string) => BigDecimal.unsafeFromString(text)

const PLANS: Record<string, PlanPrice> = {
  "sip@1": { plan_id: "pln_sip", version: 1, name: "SIP Trunk Channel Monthly", price: money(d("15.00"), "EUR"), commitment_months: null },
  "seat@1": { plan_id: "pln_seat", version: 1, name: "UCaaS Seat Monthly", price: money(d("12.00"), "EUR"), commitment_months: null },
  "premium@1": { plan_id: "pln_premium", version: 1, name: "UCaaS Seat Premium", price: money(d("18.00"), "EUR"), commitment_months: null },
  "commit@1": {
    plan_id: "pln_commit",
    version: 1,
    name: "UCaaS Seat 12-Month Commitment",
    price: money(d("10.00"), "EUR"),
    commitment_months: 12
  }
}
const planPrice = (planId: string, version: number) => PLANS[`${planId.replace("pln_", "")}@${version}`]!

const VOICE: SkuPricing = {
  id: "sku_voice",
  name: "Outbound voice minutes",
  currency: "EUR",
  model: {
    model: "graduated",
    tiers: [
      { up_to: d("1000"), unit_price: d("0.020") },
      { up_to: d("10000"), unit_price: d("0.015") },
      { up_to: null, unit_price: d("0.010") }
    ]
  }
}

const subscription = (anchor = "2026-11-01T00:00:00Z"): BillableSubscription => ({
  id: "sub_1",
  customer_id: "cus_1",
  product_id: "prd_1",
  parent_subscription_id: null,
  anchor: utc(anchor),
  time_zone: "UTC",
  interval: "month",
  created_at: utc(anchor)
})

const row = (at: string, quantity: number, plan: string, status: HistoryRow["status"] = "active"): HistoryRow => ({
  effective_at: utc(at),
  quantity,
  plan_id: `pln_${plan}`,
  plan_version: 1,
  status
})

/** The November 2026 lines of a subscription with this history and usage. */
const november = (
  history: ReadonlyArray<HistoryRow>,
  usage: ReadonlyArray<{ sku: SkuPricing; quantity: BigDecimal.BigDecimal }> = [],
  sub = subscription()
) => {
  const period = periodEndingIn(sub, "2026-11")!
  return subscriptionLines(sub, period, history, planPrice, usage).map((b) => b.line)
}

/** What a reader checks on an invoice: kind, quantity, unit price, amount, details. */
const shown = (lines: ReadonlyArray<InvoiceLine>) =>
  lines.map((l) => ({
    kind: l.kind,
    quantity: l.quantity === null ? null : formatDecimal(l.quantity),
    unit_price: l.unit_price === null ? null : formatDecimal(l.unit_price),
    amount: formatDecimal(l.amount),
    details: { ...l.details, tiers: undefined }
  }))

const total = (lines: ReadonlyArray<InvoiceLine>) => formatDecimal(totalsOf(lines, "EUR").total)

describe("which period a month bills", () => {
  it("a period ending at the month's end (Nov 1 -> Dec 1) is billed in 2026-11", () => {
    const period = periodEndingIn(subscription("2026-10-01T00:00:00Z"), "2026-11")!
    expect([DateTime.formatIso(period.start), DateTime.formatIso(period.end)]).toEqual([
      "2026-11-01T00:00:00.000Z",
      "2026-12-01T00:00:00.000Z"
    ])
    expect(billingMonthOf(period.end, "UTC")).toBe("2026-11")
  })

  it("one anchored on the 15th bills Oct 15 -> Nov 15 in 2026-11", () => {
    const period = periodEndingIn(subscription("2026-09-15T09:00:00Z"), "2026-11")!
    expect(DateTime.formatIso(period.start)).toBe("2026-10-15T09:00:00.000Z")
    expect(DateTime.formatIso(period.end)).toBe("2026-11-15T09:00:00.000Z")
  })

  it("a subscription started inside the month has no period ending in it", () => {
    expect(periodEndingIn(subscription("2026-11-10T00:00:00Z"), "2026-11")).toBeUndefined()
  })

  it("months are taken in the subscription's time zone", () => {
    const bounds = monthBounds("2026-11", "Europe/Berlin")
    expect(DateTime.formatIso(bounds.start)).toBe("2026-10-31T23:00:00.000Z")
    expect(DateTime.formatIso(bounds.end)).toBe("2026-11-30T23:00:00.000Z")
  })
})

describe("recurring fees (November 2026, 30 days)", () => {
  it("a whole month: 3 seats x 12.00 = one recurring line of 36.00", () => {
    const lines = november([row("2026-11-01T00:00:00Z", 3, "seat")])
    expect(shown(lines)).toEqual([
      { kind: "recurring", quantity: "3", unit_price: "12.00", amount: "36.00", details: { tiers: undefined } }
    ])
  })

  it("quantity increase on Nov 11: 2 x 15.00 x 10/30 = 10.00, then 5 x 15.00 x 20/30 = 50.00; total 60.00", () => {
    const lines = november([row("2026-11-01T00:00:00Z", 2, "sip"), row("2026-11-11T14:30:00Z", 5, "sip")])
    expect(shown(lines)).toEqual([
      { kind: "proration", quantity: "2", unit_price: "15.00", amount: "10.00", details: { days: 10, period_days: 30, tiers: undefined } },
      { kind: "proration", quantity: "5", unit_price: "15.00", amount: "50.00", details: { days: 20, period_days: 30, tiers: undefined } }
    ])
    expect(total(lines)).toBe("60.00")
  })

  it("cancel at period end (effective Dec 1): 3 x 12.00 = 36.00, the full period", () => {
    const lines = november([
      row("2026-11-01T00:00:00Z", 3, "seat"),
      row("2026-12-01T00:00:00Z", 3, "seat", "cancelled")
    ])
    expect(shown(lines)).toEqual([
      { kind: "recurring", quantity: "3", unit_price: "12.00", amount: "36.00", details: { tiers: undefined } }
    ])
  })

  it("immediate cancel on Nov 16: 1 x 12.00 x 15/30 = 6.00", () => {
    const lines = november([
      row("2026-11-01T00:00:00Z", 1, "seat"),
      row("2026-11-16T08:00:00Z", 1, "seat", "cancelled")
    ])
    expect(shown(lines)).toEqual([
      { kind: "proration", quantity: "1", unit_price: "12.00", amount: "6.00", details: { days: 15, period_days: 30, tiers: undefined } }
    ])
  })

  it("plan change on Nov 21: 2 x 12.00 x 20/30 = 16.00, then 2 x 18.00 x 10/30 = 12.00; total 28.00", () => {
    const lines = november([row("2026-11-01T00:00:00Z", 2, "seat"), row("2026-11-21T00:00:00Z", 2, "premium")])
    expect(shown(lines)).toEqual([
      { kind: "proration", quantity: "2", unit_price: "12.00", amount: "16.00", details: { days: 20, period_days: 30, tiers: undefined } },
      { kind: "proration", quantity: "2", unit_price: "18.00", amount: "12.00", details: { days: 10, period_days: 30, tiers: undefined } }
    ])
    expect(lines.map((l) => l.plan_id)).toEqual(["pln_seat", "pln_premium"])
    expect(total(lines)).toBe("28.00")
  })

  it("a suspension does not split the line: active then suspended, same seats, one recurring line", () => {
    const lines = november([
      row("2026-11-01T00:00:00Z", 2, "seat"),
      row("2026-11-05T00:00:00Z", 2, "seat", "suspended")
    ])
    expect(shown(lines).map((l) => [l.kind, l.amount])).toEqual([["recurring", "24.00"]])
  })

  it("a policy that does not bill suspended time: active 4 of 30 days, suspended the rest, only the 4 days billed", () => {
    const lines = november([
      row("2026-11-01T00:00:00Z", 2, "seat"),
      row("2026-11-05T00:00:00Z", 2, "seat", "suspended")
    ], [], { ...subscription(), bill_while_suspended: false })
    expect(shown(lines).map((l) => [l.kind, l.amount])).toEqual([["proration", "3.20"]])
  })

  it("a month with nothing billable (cancelled before it began) has no lines", () => {
    const lines = november([
      row("2026-10-01T00:00:00Z", 1, "seat"),
      row("2026-10-20T00:00:00Z", 1, "seat", "cancelled")
    ], [], subscription("2026-10-01T00:00:00Z"))
    expect(lines).toEqual([])
  })
})

describe("installments", () => {
  it("UCaaS Seat 12-Month Commitment from Jan 1: November is installment 11 of 12, 4 x 10.00 = 40.00", () => {
    const sub = subscription("2026-01-01T00:00:00Z")
    const lines = november([row("2026-01-01T00:00:00Z", 4, "commit")], [], sub)
    expect(shown(lines)).toEqual([
      {
        kind: "installment",
        quantity: "4",
        unit_price: "10.00",
        amount: "40.00",
        details: { installment: 11, installments: 12, tiers: undefined }
      }
    ])
  })
})

describe("usage", () => {
  it("graduated voice minutes, 12,500 min: 1,000 x 0.020 + 9,000 x 0.015 + 2,500 x 0.010 = 20.00 + 135.00 + 25.00 = 180.00", () => {
    const lines = november([row("2026-11-01T00:00:00Z", 1, "sip")], [{ sku: VOICE, quantity: d("12500") }])
    const usage = lines.find((l) => l.kind === "usage")!
    expect(formatDecimal(usage.amount)).toBe("180.00")
    expect(usage.unit_price).toBeNull()
    expect(usage.details.model).toBe("graduated")
    expect(usage.details.tiers!.map((t) => [t.tier, formatDecimal(t.units), formatDecimal(t.unit_price), formatDecimal(t.amount)])).toEqual([
      [0, "1000", "0.020", "20.000"],
      [1, "9000", "0.015", "135.000"],
      [2, "2500", "0.010", "25.000"]
    ])
    // With the channel's 15.00: 195.00.
    expect(total(lines)).toBe("195.00")
  })

  it("usage inside the first tier keeps its unit price: 500 min x 0.020 = 10.00", () => {
    const lines = november([row("2026-11-01T00:00:00Z", 1, "sip")], [{ sku: VOICE, quantity: d("500") }])
    const usage = lines.find((l) => l.kind === "usage")!
    expect([formatDecimal(usage.unit_price!), formatDecimal(usage.amount)]).toEqual(["0.020", "10.00"])
  })
})

describe("one-offs and credits", () => {
  it("a one-off purchase is billed as ordered", () => {
    const [billed] = oneOffLines([{
      order_item_id: "oit_1",
      sku_id: "sku_storage",
      description: "Call recording storage",
      quantity: 120,
      unit_price: null,
      amount: money(d("7.50"), "EUR")
    }])
    expect([billed!.currency, billed!.line.kind, formatDecimal(billed!.line.amount), billed!.line.order_item_id]).toEqual([
      "EUR",
      "one_off",
      "7.50",
      "oit_1"
    ])
  })

  it("credit applies oldest first up to the subtotal: 60.00 with notes of 50.00 and 25.00 -> -50.00, -10.00, due 0.00", () => {
    const charges = november([row("2026-11-01T00:00:00Z", 2, "sip"), row("2026-11-11T00:00:00Z", 5, "sip")])
    const credits = creditLines(totalsOf(charges, "EUR").subtotal, [
      { credit_note_id: "crn_a", remaining: d("50.00") },
      { credit_note_id: "crn_b", remaining: d("25.00") }
    ])
    expect(credits.map((l) => formatDecimal(l.amount))).toEqual(["-50.00", "-10.00"])
    const totals = totalsOf([...charges, ...credits], "EUR")
    expect([totals.subtotal, totals.total, totals.amount_due].map(formatDecimal)).toEqual(["60.00", "0.00", "0.00"])
  })
})
