import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Billing } from "@provisio/core/billing/service"
import * as Effect from "effect/Effect"
import { call, createDistributor, createKey, createPartner, expectData } from "./harness"
import { createCustomer, order, OrderingServer, runDue, setNow, subscribe, V1 } from "./ordering-fixtures"
import { awaitRun, eur, invoiceOf, planAt, priceList } from "./price-lists-fixtures"
import { germanVat, margins, settings, upstreamInvoices } from "./channel-fixtures"

/**
 * docs/channel.md's worked example with a mid-month increase and usage tiers: the plan (10.00
 * list, 7.00, 8.40, 11.99 as before) carries voice minutes listed at 0.10 (the distributor buys
 * at 0.07, the partner at 0.084, the customer on the partner's tiers 0.15 up to 100, then 0.12);
 * 10 seats from 1 November, 15 from the 16th, 150 minutes, one run.
 */

let transactions = 0

const example = Effect.gen(function* () {
  yield* setNow("2026-11-01T00:00:00Z")
  const minutes = expectData(yield* call("POST", `${V1}/pricing`, {
    body: { code: `minutes-${Math.random().toString(36).slice(2, 8)}`, name: "Voice minutes", unit: "minute", currency: "EUR", model: "per_unit", unit_price: "0.10" }
  }), 201)
  const { plan } = yield* planAt("10.00", [minutes.id])
  const distributor = yield* createDistributor("Nordic Distribution")
  const partner = yield* createPartner(distributor.id, "standard", "Fjord Telecom")
  const keys = { distributor: yield* createKey(distributor.id), partner: yield* createKey(partner.id) }
  const customer = yield* createCustomer(partner.id, { name: "Customer of Fjord" }, keys.partner)
  yield* priceList(undefined, { name: "Wholesale", rules: [{ all: true, type: "discount_percent", value: "30" }] }, { account_ids: [distributor.id] })
  yield* priceList(keys.distributor, { name: "Reseller", rules: [{ all: true, type: "markup_percent", value: "20" }] }, { all: true })
  yield* priceList(keys.partner, {
    name: "Retail",
    rules: [
      { plan_id: plan.id, type: "fixed", value: "11.99" },
      { sku_id: minutes.id, type: "fixed", tiers: [{ up_to: 100, unit_price: "0.15" }, { up_to: null, unit_price: "0.12" }] }
    ]
  }, { customer_ids: [customer.id] })
  yield* germanVat
  const channel = { upstream_invoicing: true }
  yield* settings(undefined, { legal: { name: "Provisio Platform GmbH", country: "DE", tax_id: "DE811907980" }, channel })
  yield* settings(keys.distributor, { legal: { name: "Nordic Distribution GmbH", country: "DE", tax_id: "DE136695976" }, channel })
  yield* settings(keys.partner, { legal: { name: "Fjord Telecom GmbH", country: "AT", tax_id: "ATU13585627" } })
  return { minutes, plan, distributor, partner, keys, customer }
}).pipe(Effect.orDie)

describe("channel economics with a mid-month increase and usage tiers", () => {
  it.layer(OrderingServer)("the worked example, whole", (it) => {
    it.effect("every tier's invoice and margin agree to the cent", () =>
      Effect.gen(function* () {
        const w = yield* example
        const seats = yield* subscribe(w.customer.id, { plan_id: w.plan.id, quantity: 10 }, w.keys.partner)
        yield* setNow("2026-11-16T00:00:00Z")
        yield* order(w.customer.id, [{ action: "increase_quantity", subscription_id: seats.id, quantity: 5 }], w.keys.partner)
        yield* setNow("2026-11-20T12:00:00Z")
        expectData(yield* call("POST", `${V1}/usage`, {
          key: w.keys.partner,
          body: { records: [{ transaction_id: `ch-${++transactions}`, subscription_id: seats.id, sku_id: w.minutes.code, quantity: "150", occurred_at: "2026-11-20T10:00:00Z" }] }
        }))
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(run.id)).status).toBe("completed")

        // The customer: 10 x 11.99 x 15/30 = 59.95, 15 x 11.99 x 15/30 = 89.93, 100 x 0.15 + 50 x 0.12 = 21.00.
        const invoice = yield* invoiceOf(w.customer.id)
        expect(invoice.lines.map((l: any) => [l.kind, l.quantity, l.amount])).toEqual([
          ["proration", "10", "59.95"], ["proration", "15", "89.93"], ["usage", "150", "21.00"]
        ])
        expect(invoice.subtotal).toEqual(eur("170.88"))

        // The partner's costs: 42.00 + 63.00 at 8.40 (kept as one row: one plan, one unit cost),
        // 150 x 0.084 = 12.60; the distributor's: 35.00 + 52.50, 10.50.
        const sql = yield* SqlClient.SqlClient
        const costs = yield* sql<{ buyer: string; amounts: string }>`
          select case when buyer_account_id = ${w.partner.id} then 'partner' else 'distributor' end as buyer,
                 string_agg(quantity::text || ' ' || coalesce(unit_cost::text, '-') || ' ' || amount::text, ', ' order by line_position) as amounts
            from channel_costs where customer_id = ${w.customer.id} group by 1 order by 1`
        expect(costs).toEqual([
          { buyer: "distributor", amounts: "25 7.00 87.50, 150 0.07 10.50" },
          { buyer: "partner", amounts: "25 8.40 105.00, 150 0.084 12.60" }
        ])

        // Upstream: one line per plan and SKU, quantities summed (seat-segments 10 + 15).
        const toPartner = (yield* upstreamInvoices(w.keys.partner))[0]
        expect(toPartner.lines.map((l: any) => [l.plan_id ?? l.sku_id, l.quantity, l.amount])).toEqual([
          [w.plan.id, "25", "105.00"], [w.minutes.id, "150", "12.60"]
        ])
        expect(toPartner).toMatchObject({ subtotal: eur("117.60"), tax_total: eur("0.00"), total: eur("117.60") })
        const toDistributor = (yield* upstreamInvoices(w.keys.distributor)).find((i: any) => i.bill_to_account_id === w.distributor.id)
        expect(toDistributor).toMatchObject({ subtotal: eur("98.00"), tax_total: eur("18.62"), total: eur("116.62") })

        // Margins per plan and SKU.
        const partner = expectData(yield* margins(`period=2026-11&partner_id=${w.partner.id}`, w.keys.partner))
        expect(partner.rows.map((r: any) => [r.plan_id ?? r.sku_id, r.revenue.amount, r.cost.amount, r.margin.amount])).toEqual([
          [w.plan.id, "149.88", "105.00", "44.88"], [w.minutes.id, "21.00", "12.60", "8.40"]
        ])
        expect(partner.totals).toEqual({ revenue: eur("170.88"), cost: eur("117.60"), margin: eur("53.28") })
        const distributor = expectData(yield* margins(`period=2026-11&distributor_id=${w.distributor.id}`, w.keys.distributor))
        expect(distributor.totals).toEqual({ revenue: eur("117.60"), cost: eur("98.00"), margin: eur("19.60") })
      }))
  })

  it.layer(OrderingServer)("late usage on a draft", (it) => {
    it.effect("a re-rated draft's usage is costed again, once", () =>
      Effect.gen(function* () {
        const w = yield* example
        const seats = yield* subscribe(w.customer.id, { plan_id: w.plan.id, quantity: 10 }, w.keys.partner)
        const minutes = (quantity: string, occurred_at: string) =>
          call("POST", `${V1}/usage`, {
            key: w.keys.partner,
            body: { records: [{ transaction_id: `ch-${++transactions}`, subscription_id: seats.id, sku_id: w.minutes.code, quantity, occurred_at }] }
          })
        yield* setNow("2026-11-20T12:00:00Z")
        expectData(yield* minutes("150", "2026-11-20T10:00:00Z"))
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { body: { period: "2026-11", grace_period: "2 hours" } }), 202)
        expect((yield* awaitRun(run.id)).status).toBe("completed")
        const sql = yield* SqlClient.SqlClient
        const usageCosts = sql<{ buyer_account_id: string; quantity: string; amount: string }>`
          select buyer_account_id, quantity::text, amount::text from channel_costs
           where customer_id = ${w.customer.id} and kind = 'usage' order by amount desc`
        expect(yield* usageCosts).toEqual([
          { buyer_account_id: w.partner.id, quantity: "150", amount: "12.60" },
          { buyer_account_id: w.distributor.id, quantity: "150", amount: "10.50" }
        ])

        // 50 more minutes of November arrive while the draft waits: 200 in all.
        yield* setNow("2026-12-01T00:30:00Z")
        expectData(yield* minutes("50", "2026-11-29T10:00:00Z"))
        expect((yield* (yield* Billing).finalizeDue).rerated).toBe(1)
        expect((yield* invoiceOf(w.customer.id)).lines.find((l: any) => l.kind === "usage")).toMatchObject({ quantity: "200", amount: "27.00" })
        expect(yield* usageCosts).toEqual([
          { buyer_account_id: w.partner.id, quantity: "200", amount: "16.80" },
          { buyer_account_id: w.distributor.id, quantity: "200", amount: "14.00" }
        ])
        // Drafts are not invoiced up the channel (they may change); once finalized, the period's
        // next run invoices them: the seats and the 200 minutes, once.
        expect(yield* upstreamInvoices(w.keys.partner)).toEqual([])
        yield* setNow("2026-12-01T02:00:00Z")
        expect((yield* (yield* Billing).finalizeDue).finalized).toBe(1)
        const again = expectData(yield* call("POST", `${V1}/billing/runs`, { body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(again.id)).status).toBe("completed")
        const [toPartner] = yield* upstreamInvoices(w.keys.partner)
        expect(toPartner.lines.map((l: any) => [l.quantity, l.amount])).toEqual([["10", "84.00"], ["200", "16.80"]])
        expect(toPartner.subtotal).toEqual(eur("100.80"))
      }))
  })
})
