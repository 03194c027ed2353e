import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Identity } from "@provisio/core/identity/service"
import { UsageService } from "@provisio/core/usage/service"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { call, createDistributor, createKey, createPartner, expectData } from "./harness"
import { createCustomer, OrderingServer, runDue, setNow, subscribe, trunkWorld, V1 } from "./ordering-fixtures"
import { awaitRun, eur, invoiceOf, LARGEST, planAt, priceList, skuAt } from "./price-lists-fixtures"

/**
 * The bound on usage (docs/billing.md "Usage", docs/limits.md): a record's quantity, and a
 * subscription's usage of a SKU in a period, are less than 10^12, so the total times the dearest
 * usage price a chain of price lists can give still fits an amount (30 digits before the point).
 */

let transactions = 0

const record = (subscription_id: string, quantity: string | number, occurred_at: string, transaction_id = `lim-${++transactions}`) => ({
  transaction_id,
  subscription_id,
  sku_id: "voice-minutes",
  quantity,
  occurred_at
})

const ingest = (records: ReadonlyArray<unknown>, key: string) =>
  Effect.map(call("POST", `${V1}/usage`, { key, body: { records } }), (a) => expectData(a))

const totalOf = (subscriptionId: string, key: string) =>
  Effect.map(call("GET", `${V1}/usage?subscription_id=${subscriptionId}`, { key }), (a) => expectData(a).totals.map((t: any) => t.quantity))

const BOUND = "a period's usage of a SKU is less than 1000000000000"

describe("usage limits", () => {
  it.layer(OrderingServer)("a period's usage of a SKU is less than 10^12", (it) => {
    it.effect("a record past the bound, or one bringing its period's total there, is rejected on its own; the reads keep answering", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { catalog, customer, partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-11-05T00:00:00Z")
        const at = "2026-11-02T00:00:00Z"
        // Two of 30 digits were accepted, and their total of 31 made GET /usage a 500.
        const huge = "999999999999999999999999999999"
        for (const transaction of ["u1", "u2"]) {
          const answer = yield* ingest([record(trunk.id, huge, at, `${transaction}-${trunk.id}`)], partnerKey)
          expect(answer).toEqual({
            accepted: 0,
            duplicates: 0,
            rejected: [{ index: 0, code: "invalid_quantity", message: `quantity: must have at most 12 digits before the point: ${BOUND}` }]
          })
        }
        expect((yield* ingest([record(trunk.id, 10 ** 12, at)], partnerKey)).rejected.map((r: any) => r.code)).toEqual(["invalid_quantity"])
        expect(yield* totalOf(trunk.id, partnerKey)).toEqual([])

        // The period's running total: the record reaching the bound is refused, a smaller one after it still fits,
        // a repeated id is the duplicate of the first (accepted) one.
        const first = record(trunk.id, "999999999999", at)
        const batch = [first, record(trunk.id, "1", at), record(trunk.id, "0.5", at), { ...first, quantity: "7" }]
        const answer = yield* ingest(batch, partnerKey)
        expect(answer).toMatchObject({ accepted: 2, duplicates: 1 })
        const sku = catalog.skus["voice-minutes"]
        expect(answer.rejected).toEqual([{
          index: 1,
          code: "invalid_quantity",
          message: `quantity: brings the usage of SKU ${sku} to 1000000000000 in the period of subscription ${trunk.id} ` +
            `starting 2026-11-01T00:00:00.000Z: ${BOUND}`
        }])
        // Across calls alike; a replay is still a duplicate, whatever its quantity.
        expect(yield* ingest([record(trunk.id, "0.5", at)], partnerKey)).toMatchObject({ accepted: 0, rejected: [{ index: 0 }] })
        expect(yield* ingest([record(trunk.id, "0.4", at), first], partnerKey)).toEqual({ accepted: 1, duplicates: 1, rejected: [] })
        expect(yield* totalOf(trunk.id, partnerKey)).toEqual(["999999999999.9"])

        // The upcoming invoice rates it: 1,000 x 0.020 + 9,000 x 0.015 + 999999989999.9 x 0.010 = 10000000054.999.
        const [upcoming] = expectData(yield* call("GET", `${V1}/customers/${customer.id}/upcoming-invoice`, { key: partnerKey }))
        expect(upcoming.lines.find((l: any) => l.kind === "usage")).toMatchObject({ quantity: "999999999999.9", amount: "10000000055.00" })

        // The next period counts from zero.
        yield* setNow("2026-12-05T00:00:00Z")
        expect(yield* ingest([record(trunk.id, "999999999999", "2026-12-02T00:00:00Z")], partnerKey)).toMatchObject({ accepted: 1 })
        expect(yield* totalOf(trunk.id, partnerKey)).toEqual(["1999999999998.9"])
      }))

    it.effect("a call racing another's first records of a period is counted against them: together they stay under the bound", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-11-05T00:00:00Z")
        const sql = yield* SqlClient.SqlClient
        const usage = yield* UsageService
        const operator = yield* (yield* Identity).platformOperator
        const at = "2026-11-02T00:00:00Z"
        // The first call's total is stored but not committed while the second reads none and adds to it
        // (on PostgreSQL; PGlite's one connection runs the second after the first).
        const stored = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        const first = yield* Effect.fork(sql.withTransaction(
          usage.ingest(operator, [record(trunk.id, "600000000000", at)]).pipe(
            Effect.tap(() => Deferred.succeed(stored, undefined)),
            Effect.zipLeft(Deferred.await(release))
          )
        ))
        yield* Deferred.await(stored)
        const second = yield* Effect.fork(usage.ingest(operator, [record(trunk.id, "600000000000", at)]))
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 300)))
        yield* Deferred.succeed(release, undefined)
        expect(yield* Fiber.join(first)).toMatchObject({ accepted: 1, rejected: [] })
        const refused = yield* Fiber.join(second)
        expect(refused).toMatchObject({ accepted: 0, duplicates: 0 })
        expect(refused.rejected).toEqual([
          expect.objectContaining({ index: 0, code: "invalid_quantity", message: expect.stringContaining(" to 1200000000000 in the period ") })
        ])
        expect(yield* totalOf(trunk.id, partnerKey)).toEqual(["600000000000"])
      }))

    it.effect("the largest total at the dearest usage price a chain gives (three 1000 % markups) still rates to an amount", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const sku = yield* skuAt("minutes", LARGEST)
        const { plan } = yield* planAt("1.00", [sku.id])
        const distributor = yield* createDistributor("Dear Distribution")
        const partner = yield* createPartner(distributor.id, "standard", "Dear Telecom")
        const keys = { distributor: yield* createKey(distributor.id), partner: yield* createKey(partner.id) }
        const customer = yield* createCustomer(partner.id, { name: "Dear customer" }, keys.partner)
        const markup = { all: true, type: "markup_percent", value: "1000" }
        yield* priceList(undefined, { rules: [markup] }, { account_ids: [distributor.id] })
        yield* priceList(keys.distributor, { rules: [markup] }, { all: true })
        yield* priceList(keys.partner, { rules: [markup] }, { customer_ids: [customer.id] })
        const subscription = yield* subscribe(customer.id, { plan_id: plan.id, quantity: 1 }, keys.partner)
        yield* setNow("2026-11-10T12:00:00Z")
        const largest = { ...record(subscription.id, "999999999999", "2026-11-10T10:00:00Z"), sku_id: sku.code }
        expect(yield* ingest([largest], keys.partner)).toMatchObject({ accepted: 1, rejected: [] })

        // 999999999999.99 x 11 x 11 x 11 = 1330999999999986.69 a minute, times 999999999999 minutes: 28 digits.
        const line = { quantity: "999999999999", unit_price: "1330999999999986.69", amount: "1330999999998655690000000013.31" }
        const [upcoming] = expectData(yield* call("GET", `${V1}/customers/${customer.id}/upcoming-invoice`, { key: keys.partner }))
        expect(upcoming.lines.find((l: any) => l.kind === "usage")).toMatchObject(line)
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key: keys.partner, body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(run.id, keys.partner)).status).toBe("completed")
        const invoice = yield* invoiceOf(customer.id, keys.partner)
        expect(invoice.lines.find((l: any) => l.kind === "usage")).toMatchObject(line)
        expect(expectData(yield* call("GET", `${V1}/invoices/${invoice.id}`, { key: keys.partner })).total).toEqual(invoice.total)
        const [balance] = expectData(yield* call("GET", `${V1}/customers/${customer.id}/balance`, { key: keys.partner })).balances
        expect(balance).toMatchObject({ currency: "EUR", amount_due: invoice.amount_due, credit_available: eur("0.00") })
      }))
  })
})
