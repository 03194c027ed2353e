import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, expectData } from "./harness"
import { createCustomer, order, OrderingServer, runDue, setNow, subscribe, V1 } from "./ordering-fixtures"
import { awaitRun, eur, invoiceOf, planAt, priceList, workedExample } from "./price-lists-fixtures"

/**
 * Usage and one-offs at price-list prices (docs/channel.md): a SKU's tiers from the partner's
 * list, a percentage down the chain over a usage price, a one-off purchase at the list's price.
 * The worked example's lists: platform -30 % for all, distributor +20 % for all.
 */

let transactions = 0
const usage = (subscription_id: string, sku: string, quantity: string, key: string) =>
  call("POST", `${V1}/usage`, {
    key,
    body: { records: [{ transaction_id: `pl-${++transactions}`, subscription_id, sku_id: sku, quantity, occurred_at: "2026-11-10T10:00:00Z" }] }
  })

const skuAt = (code: string, unit_price: string) =>
  Effect.map(call("POST", `${V1}/pricing`, {
    body: { code: `${code}-${Math.random().toString(36).slice(2, 8)}`, name: code, unit: "minute", currency: "EUR", model: "per_unit", unit_price }
  }), (a) => expectData(a, 201))

describe("price lists in usage and one-offs", () => {
  it.layer(OrderingServer)("usage", (it) => {
    it.effect("a partner's fixed tiers rate its customer's usage; a run bills them; no list keeps the catalog's price", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const minutes = yield* skuAt("minutes", "0.10")
        const { plan } = yield* planAt("10.00", [minutes.id])
        yield* priceList(w.keys.partner, {
          name: "Minutes", rules: [{ sku_id: minutes.id, type: "fixed", tiers: [{ up_to: 100, unit_price: "0.05" }, { up_to: null, unit_price: "0.02" }] }]
        }, { customer_ids: [w.customer.id] })
        const plain = yield* createCustomer(w.partner.id, { name: "No list" }, w.keys.partner)
        const listed = yield* subscribe(w.customer.id, { plan_id: plan.id, quantity: 1 }, w.keys.partner)
        const unlisted = yield* subscribe(plain.id, { plan_id: plan.id, quantity: 1 }, w.keys.partner)
        yield* setNow("2026-11-10T12:00:00Z")
        expectData(yield* usage(listed.id, minutes.code, "150", w.keys.partner))
        expectData(yield* usage(unlisted.id, minutes.code, "150", w.keys.partner))
        const [upcoming] = expectData(yield* call("GET", `${V1}/customers/${w.customer.id}/upcoming-invoice`, { key: w.keys.partner }))
        const line = upcoming.lines.find((l: any) => l.kind === "usage")
        // 100 x 0.05 + 50 x 0.02 (graduated)
        expect(line).toMatchObject({ quantity: "150", amount: "6.00" })
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key: w.keys.partner, body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(run.id, w.keys.partner)).status).toBe("completed")
        const invoice = yield* invoiceOf(w.customer.id, w.keys.partner)
        expect(invoice.lines.find((l: any) => l.kind === "usage")).toMatchObject({ quantity: "150", amount: "6.00" })
        // The plan: the partner's list prices only the SKU, so the seat is at the list price.
        expect(invoice.subtotal).toEqual(eur("16.00"))
        const other = yield* invoiceOf(plain.id, w.keys.partner)
        expect(other.lines.find((l: any) => l.kind === "usage")).toMatchObject({ quantity: "150", unit_price: "0.10", amount: "15.00" })
      }))

    it.effect("percentages down the chain scale a usage price: 0.10 -30 % +20 % +50 % = 0.126 a minute", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const minutes = yield* skuAt("minutes", "0.10")
        const { plan } = yield* planAt("10.00", [minutes.id])
        // The sibling's list (+50 % on all) assigned to its customer.
        expectData(yield* call("PUT", `${V1}/price-lists/${w.lists.sibling.id}/assignments`, { key: w.keys.sibling, body: { all: true } }))
        const customer = yield* createCustomer(w.sibling.id, { name: "Sibling's" }, w.keys.sibling)
        const subscription = yield* subscribe(customer.id, { plan_id: plan.id, quantity: 1 }, w.keys.sibling)
        yield* setNow("2026-11-10T12:00:00Z")
        expectData(yield* usage(subscription.id, minutes.code, "100", w.keys.sibling))
        const [upcoming] = expectData(yield* call("GET", `${V1}/customers/${customer.id}/upcoming-invoice`, { key: w.keys.sibling }))
        expect(upcoming.lines.find((l: any) => l.kind === "usage")).toMatchObject({ unit_price: "0.126", amount: "12.60" })
        // The seat: 8.40 + 50 % = 12.60.
        expect(upcoming.lines.find((l: any) => l.kind !== "usage")).toMatchObject({ unit_price: "12.60" })
      }))
  })

  it.layer(OrderingServer)("one-offs", (it) => {
    it.effect("a one-off purchase is priced and billed at the customer's list price", () =>
      Effect.gen(function* () {
        const w = yield* workedExample
        const setup = yield* skuAt("setup", "50.00")
        yield* priceList(w.keys.partner, { name: "Setup", rules: [{ sku_id: setup.id, type: "fixed", value: "45.00" }] },
          { customer_ids: [w.customer.id] })
        yield* setNow("2026-11-05T00:00:00Z")
        const done = yield* order(w.customer.id, [{ sku_id: setup.id, quantity: 2 }], w.keys.partner)
        expect(done.items[0]).toMatchObject({ unit_price: eur("45.00"), amount: eur("90.00") })
        expect(done.total).toEqual(eur("90.00"))
        yield* setNow("2026-12-01T00:00:00Z")
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key: w.keys.partner, body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(run.id, w.keys.partner)).status).toBe("completed")
        const invoice = yield* invoiceOf(w.customer.id, w.keys.partner)
        expect(invoice.lines).toEqual([expect.objectContaining({ kind: "one_off", quantity: "2", unit_price: "45.00", amount: "90.00" })])
      }))
  })
})
