import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, createDistributor, createKey, expectData, expectError } from "./harness"
import { createCustomer, OrderingServer, runDue, setNow, subscribe, V1 } from "./ordering-fixtures"
import { awaitRun, eur, invoiceOf, planAt } from "./price-lists-fixtures"
import { channelExample, margins, upstreamInvoices } from "./channel-fixtures"

/**
 * An agency partner (docs/channel.md "Channel models"): its distributor issues its customers'
 * invoices, numbered in the distributor's series, at the customer's price; the partner's margin
 * is its commission.
 */

describe("an agency partner", () => {
  it.layer(OrderingServer)("agency", (it) => {
    it.effect("channel_model is a partner's field, set from above and checked", () =>
      Effect.gen(function* () {
        const distributor = yield* createDistributor("Agency Distribution")
        const created = expectData(yield* call("POST", `${V1}/partners`, {
          body: { name: "Reseller by default", distributor_id: distributor.id }
        }), 201)
        expect(created.channel_model).toBe("reseller")
        expectError(yield* call("POST", `${V1}/partners`, {
          body: { name: "Broker", distributor_id: distributor.id, channel_model: "broker" }
        }), 422, "validation_error", "channel_model")
        const key = yield* createKey(created.id)
        expectError(yield* call("PUT", `${V1}/partners/${created.id}`, { key, body: { channel_model: "agency" } }), 403, "forbidden")
        const changed = expectData(yield* call("PUT", `${V1}/partners/${created.id}`, { body: { channel_model: "agency" } }))
        expect(changed.channel_model).toBe("agency")
      }))

    it.effect("the distributor issues the customer's invoice; the partner's margin is its commission", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { plan } = yield* planAt("10.00")
        const distributor = yield* createDistributor("Agency Distribution 2")
        const partner = expectData(yield* call("POST", `${V1}/partners`, {
          body: { name: "Agent", distributor_id: distributor.id, channel_model: "agency" }
        }), 201)
        const partnerKey = yield* createKey(partner.id)
        expectData(yield* call("POST", `${V1}/commissions/rules`, {
          body: { account_id: partner.id, percentage: "10", effective_from: "2026-01-01" }
        }), 201)
        const customer = yield* createCustomer(partner.id, { name: "Customer of an agent" }, partnerKey)
        yield* subscribe(customer.id, { plan_id: plan.id, quantity: 10 }, partnerKey)
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(run.id)).status).toBe("completed")

        const invoice = yield* invoiceOf(customer.id)
        expect(invoice).toMatchObject({ issuer_account_id: distributor.id, subtotal: eur("100.00"), status: "finalized" })
        expect(invoice.number).toBe("INV-2026-000001")
        // The partner still reads its customer's invoice (it is in its scope).
        expect((yield* invoiceOf(customer.id, partnerKey)).id).toBe(invoice.id)

        // Only the distributor buys: no cost row for the agent.
        const sql = yield* SqlClient.SqlClient
        const buyers = yield* sql<{ buyer_account_id: string }>`
          select buyer_account_id from channel_costs where customer_id = ${customer.id}`
        expect(buyers).toEqual([{ buyer_account_id: distributor.id }])

        const agent = expectData(yield* margins(`period=2026-11&partner_id=${partner.id}`, partnerKey))
        expect(agent).toMatchObject({ channel_model: "agency", rows: [] })
        expect(agent.totals).toEqual({ revenue: eur("10.00"), cost: eur("0.00"), margin: eur("10.00") })
        // The distributor sold to the customer at 100.00 and bought at the list price.
        const seller = expectData(yield* margins(`period=2026-11&distributor_id=${distributor.id}`))
        expect(seller.totals).toEqual({ revenue: eur("100.00"), cost: eur("100.00"), margin: eur("0.00") })
      }))
  })

  it.layer(OrderingServer)("a partner that changes its channel model", (it) => {
    it.effect("a month's margins follow its invoices as issued, not the partner's channel_model today", () =>
      Effect.gen(function* () {
        // The worked example (a 10.00 plan: the distributor buys at 7.00, the partner at 8.40; the
        // first customer pays 11.99) with a 10 % commission rule for the partner, a reseller.
        const w = yield* channelExample(true)
        expectData(yield* call("POST", `${V1}/commissions/rules`, {
          body: { account_id: w.partner.id, percentage: "10", effective_from: "2026-01-01" }
        }), 201)
        // 10 seats from 1 November (a month a period: Nov 1 -> Dec 1 is November's, Dec 1 -> Jan 1
        // December's); the second customer 1 seat at the list price from 15 November (Nov 15 -> Dec 15
        // is December's, Dec 15 -> Jan 15 January's).
        yield* subscribe(w.customer.id, { plan_id: w.plan.id, quantity: 10 }, w.keys.partner)
        yield* setNow("2026-11-15T00:00:00Z")
        const late = yield* createCustomer(w.partner.id, { name: "Late customer of Fjord" }, w.keys.partner)
        yield* subscribe(late.id, { plan_id: w.plan.id, quantity: 1 }, w.keys.partner)
        const bill = (now: string, period: string) =>
          Effect.gen(function* () {
            yield* setNow(now)
            yield* runDue
            const run = expectData(yield* call("POST", `${V1}/billing/runs`, { body: { period } }), 202)
            expect((yield* awaitRun(run.id)).status).toBe("completed")
          })
        const of = (query: string, key?: string) => Effect.map(margins(query, key), (a) => expectData(a))
        const invoiceFor = (customerId: string, period: string) =>
          Effect.map(call("GET", `${V1}/customers/${customerId}/invoices?period=${period}`), (a) => expectData(a)[0])
        const totals = (revenue: string, cost: string, margin: string) => ({ revenue: eur(revenue), cost: eur(cost), margin: eur(margin) })

        // As a reseller: November's 119.90 and December's 10.00, issued by the partner.
        yield* bill("2026-12-01T00:00:00Z", "2026-11")
        yield* bill("2026-12-16T00:00:00Z", "2026-12")
        expect(yield* invoiceFor(late.id, "2026-12")).toMatchObject({ issuer_account_id: w.partner.id, subtotal: eur("10.00") })
        expect((yield* upstreamInvoices(w.keys.partner, "?period=2026-12"))[0]).toMatchObject({ subtotal: eur("8.40") })
        const november = yield* of(`period=2026-11&partner_id=${w.partner.id}`, w.keys.partner)
        const december = yield* of(`period=2026-12&partner_id=${w.partner.id}`, w.keys.partner)
        expect(november).toMatchObject({ channel_model: "reseller", totals: totals("119.90", "84.00", "35.90") })
        expect(december).toMatchObject({ channel_model: "reseller", totals: totals("10.00", "8.40", "1.60") })

        // The distributor makes it an agent: the months already invoiced stay as they were, and the
        // partner's cost is still what the distributor sold it.
        const changed = expectData(yield* call("PUT", `${V1}/partners/${w.partner.id}`, {
          key: w.keys.distributor, body: { channel_model: "agency" }
        }))
        expect(changed.channel_model).toBe("agency")
        expect(yield* of(`period=2026-11&partner_id=${w.partner.id}`, w.keys.partner)).toEqual(november)
        expect(yield* of(`period=2026-12&partner_id=${w.partner.id}`, w.keys.partner)).toEqual(december)
        expect(yield* of(`period=2026-12&partner_id=${w.partner.id}`, w.keys.distributor)).toEqual(december)
        const seller = yield* of(`period=2026-12&distributor_id=${w.distributor.id}`, w.keys.distributor)
        expect(seller.totals).toEqual(totals("8.40", "7.00", "1.40"))
        expect(seller.totals.revenue).toEqual(december.totals.cost)

        // December's second period of the first customer is billed after the switch: issued by the
        // distributor, so the partner earns 10 % of it (11.99, no row) beside what it resold itself.
        yield* bill("2027-01-01T00:00:00Z", "2026-12")
        expect(yield* invoiceFor(w.customer.id, "2026-12")).toMatchObject({ issuer_account_id: w.distributor.id, subtotal: eur("119.90") })
        const mixed = yield* of(`period=2026-12&partner_id=${w.partner.id}`, w.keys.partner)
        expect(mixed.channel_model).toBe("agency")
        expect(mixed.rows).toEqual(december.rows)
        expect(mixed.totals).toEqual(totals("21.99", "8.40", "13.59"))
        expect((yield* of(`period=2026-12&distributor_id=${w.distributor.id}`)).totals).toEqual(totals("128.30", "77.00", "51.30"))
        expect(yield* of(`period=2026-11&partner_id=${w.partner.id}`)).toEqual(november)

        // January, all issued under agency: the commission, 10 % of 119.90 + 10.00, no cost, no rows.
        yield* bill("2027-02-01T00:00:00Z", "2027-01")
        expect(yield* invoiceFor(late.id, "2027-01")).toMatchObject({ issuer_account_id: w.distributor.id, subtotal: eur("10.00") })
        const january = yield* of(`period=2027-01&partner_id=${w.partner.id}`, w.keys.partner)
        expect(january).toMatchObject({ channel_model: "agency", rows: [], totals: totals("12.99", "0.00", "12.99") })
        expect((yield* of(`period=2027-01&distributor_id=${w.distributor.id}`)).totals).toEqual(totals("129.90", "77.00", "52.90"))
      }))
  })
})
