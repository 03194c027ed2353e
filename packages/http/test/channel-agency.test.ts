import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, createDistributor, createKey, expectData, expectError } from "./harness"
import { createCustomer, OrderingServer, runDue, setNow, subscribe, V1 } from "./ordering-fixtures"
import { awaitRun, eur, invoiceOf, planAt } from "./price-lists-fixtures"
import { margins } from "./channel-fixtures"

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
})
