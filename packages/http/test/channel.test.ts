import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, expectData, expectError } from "./harness"
import { OrderingServer, V1 } from "./ordering-fixtures"
import { eur, invoiceOf } from "./price-lists-fixtures"
import { billNovember, channelExample, margins, upstreamInvoices } from "./channel-fixtures"

/**
 * Channel costs, upstream invoices and margins: docs/channel.md's worked example (10.00 list,
 * 7.00 the distributor's cost, 8.40 the partner's, 11.99 the customer's) billed for 10 seats in
 * November 2026 by one run, with every number of the guide asserted.
 */

describe("channel economics", () => {
  it.layer(OrderingServer)("the worked example with upstream invoicing on", (it) => {
    it.effect("one run bills the customer, the partner and the distributor; the margins agree to the cent", () =>
      Effect.gen(function* () {
        const w = yield* channelExample(true)
        expect((yield* billNovember(w)).status).toBe("completed")

        // The customer's invoice, issued by its (reseller) partner.
        const invoice = yield* invoiceOf(w.customer.id)
        expect(invoice).toMatchObject({ issuer_account_id: w.partner.id, subtotal: eur("119.90") })

        // The costs of its line: the partner's and the distributor's.
        const sql = yield* SqlClient.SqlClient
        const platformId = (yield* sql<{ id: string }>`select id from accounts where kind = 'platform'`)[0]!.id
        const costs = yield* sql<{ buyer_account_id: string; seller_account_id: string; amount: string; quantity: string }>`
          select buyer_account_id, seller_account_id, amount::text, quantity::text from channel_costs
           where customer_id = ${w.customer.id} order by amount desc`
        expect(costs).toEqual([
          { buyer_account_id: w.partner.id, seller_account_id: w.distributor.id, amount: "84.00", quantity: "10" },
          { buyer_account_id: w.distributor.id, seller_account_id: platformId, amount: "70.00", quantity: "10" }
        ])

        // The partner's upstream invoice: from its distributor, 10 x 8.40, reverse charge (DE -> AT, B2B).
        const ofPartner = yield* upstreamInvoices(w.keys.partner)
        expect(ofPartner).toHaveLength(1)
        const toPartner = ofPartner[0]
        expect(toPartner).toMatchObject({
          customer_id: null,
          issuer_account_id: w.distributor.id,
          bill_to_account_id: w.partner.id,
          status: "finalized",
          period: "2026-11",
          subtotal: eur("84.00"),
          tax_total: eur("0.00"),
          total: eur("84.00")
        })
        expect(toPartner.number).toMatch(/^INV-2026-\d{6}$/)
        // An invoice's line (a plan's: `recurring`), with no subscription or period of its own.
        expect(toPartner.lines).toEqual([expect.objectContaining({
          kind: "recurring", description: w.plan.name, plan_id: w.plan.id, sku_id: null, quantity: "10", amount: "84.00",
          tax_rate: "0", tax_category: "telecom", subscription_id: null, period_start: null
        })])
        expect(toPartner.tax[0].exemption_reason).toMatch(/Reverse charge/)

        // The distributor's from the platform: 10 x 7.00, domestic (DE -> DE) at 19 %.
        const ofDistributor = (yield* upstreamInvoices(w.keys.distributor)).filter((i: any) => i.bill_to_account_id === w.distributor.id)
        expect(ofDistributor).toHaveLength(1)
        expect(ofDistributor[0]).toMatchObject({ subtotal: eur("70.00"), tax_total: eur("13.30"), total: eur("83.30") })
        expect(ofDistributor[0].lines[0]).toMatchObject({ quantity: "10", amount: "70.00", tax_rate: "19.0" })

        // Reconciliation: the partner's customers' costs sum to its upstream invoice's subtotal.
        const [sum] = yield* sql<{ total: string }>`
          select sum(k.amount)::text as total from channel_costs k join customers c on c.id = k.customer_id
           where c.partner_id = ${w.partner.id} and k.buyer_account_id = ${w.partner.id} and k.period = '2026-11'`
        expect(sum!.total).toBe(toPartner.subtotal.amount)

        // Margins: the partner 119.90 - 84.00, the distributor 84.00 - 70.00.
        const partner = expectData(yield* margins(`period=2026-11&partner_id=${w.partner.id}`, w.keys.partner))
        expect(partner.rows).toEqual([{ plan_id: w.plan.id, sku_id: null, revenue: eur("119.90"), cost: eur("84.00"), margin: eur("35.90") }])
        expect(partner.totals).toEqual({ revenue: eur("119.90"), cost: eur("84.00"), margin: eur("35.90") })
        const distributor = expectData(yield* margins(`period=2026-11&distributor_id=${w.distributor.id}`, w.keys.distributor))
        expect(distributor.totals).toEqual({ revenue: eur("84.00"), cost: eur("70.00"), margin: eur("14.00") })
        // The platform sees both; the distributor its partner's.
        expect(expectData(yield* margins(`period=2026-11&partner_id=${w.partner.id}`)).totals.margin).toEqual(eur("35.90"))
        expect(expectData(yield* margins(`period=2026-11&partner_id=${w.partner.id}`, w.keys.distributor)).totals.cost)
          .toEqual(eur("84.00"))

        // A partner never sees its distributor's cost: not its margins, not the platform's invoice to it.
        expectError(yield* margins(`period=2026-11&distributor_id=${w.distributor.id}`, w.keys.partner), 404, "not_found")
        expectError(yield* margins(`period=2026-11&partner_id=${w.sibling.id}`, w.keys.partner), 404, "not_found")
        expectError(yield* call("GET", `${V1}/channel/upstream-invoices/${ofDistributor[0].id}`, { key: w.keys.partner }), 404, "not_found")
        expect(JSON.stringify(yield* upstreamInvoices(w.keys.partner))).not.toContain("70.00")
        expectData(yield* call("GET", `${V1}/channel/upstream-invoices/${toPartner.id}`, { key: w.keys.partner }))
        // Nor does a sibling partner see its neighbour's invoice.
        expect(yield* upstreamInvoices(w.keys.sibling)).toEqual([])
      }))

    it.effect("bad queries are 422 naming the field", () =>
      Effect.gen(function* () {
        expectError(yield* margins("period=2026-13&partner_id=acc_x"), 422, "validation_error", "period")
        expectError(yield* margins("period=2026-11"), 422, "validation_error", "partner_id")
        expectError(yield* margins("period=2026-11&partner_id=acc_a&distributor_id=acc_b"), 422, "validation_error", "distributor_id")
      }))
  })

  it.layer(OrderingServer)("upstream invoicing off (the default)", (it) => {
    it.effect("the run is as before: the customer's invoice, costs recorded, no upstream invoice", () =>
      Effect.gen(function* () {
        const w = yield* channelExample(false)
        expect((yield* billNovember(w, w.keys.partner)).status).toBe("completed")
        const invoice = yield* invoiceOf(w.customer.id, w.keys.partner)
        expect(invoice).toMatchObject({ issuer_account_id: w.partner.id, subtotal: eur("119.90") })
        expect(invoice.lines).toHaveLength(1)
        expect(yield* upstreamInvoices()).toEqual([])
        const partner = expectData(yield* margins(`period=2026-11&partner_id=${w.partner.id}`, w.keys.partner))
        expect(partner.totals).toEqual({ revenue: eur("119.90"), cost: eur("84.00"), margin: eur("35.90") })
        // Credited in December (the run's clock), the partner sold 19.90 less that month; November stays.
        expectData(yield* call("POST", `${V1}/invoices/${invoice.id}/credit-notes`, {
          key: w.keys.partner, body: { lines: [{ line_id: "1", amount: "19.90" }], reason: "Outage" }
        }), 201)
        const december = expectData(yield* margins(`period=2026-12&partner_id=${w.partner.id}`, w.keys.partner))
        expect(december.rows).toEqual([{ plan_id: w.plan.id, sku_id: null, revenue: eur("-19.90"), cost: eur("0.00"), margin: eur("-19.90") }])
        expect(expectData(yield* margins(`period=2026-11&partner_id=${w.partner.id}`, w.keys.partner)).totals.revenue).toEqual(eur("119.90"))
        const settings = expectData(yield* call("GET", `${V1}/settings`, { key: w.keys.partner }))
        expect(settings.channel).toEqual({ upstream_invoicing: false })
        // A partner has no one to invoice up the channel: switching it on would do nothing, so it is 422.
        expectError(yield* call("PUT", `${V1}/settings`, { key: w.keys.partner, body: { channel: { upstream_invoicing: true } } }),
          422, "validation_error", "channel.upstream_invoicing")
        expect(expectData(yield* call("PUT", `${V1}/settings`, { key: w.keys.partner, body: { channel: { upstream_invoicing: false } } }))
          .channel).toEqual({ upstream_invoicing: false })
        expect(expectData(yield* call("PUT", `${V1}/settings`, { key: w.keys.distributor, body: { channel: { upstream_invoicing: true } } }))
          .channel).toEqual({ upstream_invoicing: true })
      }))
  })
})
