import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Identity } from "@provisio/core/identity/service"
import { UsageService } from "@provisio/core/usage/service"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { call, channel, createKey, expectData, TEST_PASSWORD, signIn, uniqueEmail } from "./harness"
import { events, expectError, OrderingServer, setNow, subscribe, TRUNK, trunkWorld, V1 } from "./ordering-fixtures"

let transactions = 0
/** A transaction id no other record of the run has. */
const txn = (label = "t") => `${label}-${++transactions}`

const post = (records: ReadonlyArray<unknown>, key?: string) => call("POST", `${V1}/usage`, { key, body: { records } })

const ingest = (records: ReadonlyArray<unknown>, key?: string) => Effect.map(post(records, key), (a) => expectData(a))

const usage = (query: Record<string, string>, key?: string) =>
  call("GET", `${V1}/usage?${new URLSearchParams(query)}`, { key })

const voice = (subscription_id: string, quantity: string | number, occurred_at: string, transaction_id = txn()) => ({
  transaction_id,
  subscription_id,
  sku_id: "voice-minutes",
  quantity,
  occurred_at
})

/** An invoice of `status` that billed the subscription's period starting `periodStart` (what a billing run writes). */
const billedBy = (
  customer: { id: string; partner_id: string },
  subscriptionId: string,
  periodStart: string,
  periodEnd: string,
  status: "draft" | "finalized"
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = `inv_test${++transactions}`
    const [row] = yield* sql<{ lineage: Array<string> }>`select lineage from customers where id = ${customer.id}`
    yield* sql`
      insert into invoices (id, customer_id, lineage, issuer_account_id, status, currency, period, created_at, updated_at)
      values (${id}, ${customer.id}, ${row!.lineage}::text[], ${customer.partner_id}, ${status}, 'EUR',
              ${periodEnd.slice(0, 7)}, now(), now())`
    yield* sql`
      insert into billed_periods (subscription_id, period_start, period_end, invoice_id)
      values (${subscriptionId}, ${periodStart}::timestamptz, ${periodEnd}::timestamptz, ${id})`
    return id
  }).pipe(Effect.orDie)

const needsRerate = (invoiceId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ needs_rerate: boolean }>`select needs_rerate from invoices where id = ${invoiceId}`).pipe(
      Effect.map((rows) => rows[0]!.needs_rerate),
      Effect.orDie
    )

const storedCount = (subscriptionId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ n: string }>`select count(*)::text as n from usage_records where subscription_id = ${subscriptionId}`).pipe(
      Effect.map((rows) => Number(rows[0]!.n)),
      Effect.orDie
    )

const crossings = (subscriptionId: string) =>
  Effect.map(
    events({ type: "usage.threshold_crossed" }),
    (all) => all.filter((e) => e.data.subscription_id === subscriptionId).map((e) => [e.data.period_start, e.data.threshold])
  )

describe("usage", () => {
  it.layer(OrderingServer)("POST /usage and GET /usage", (it) => {
    it.effect("each record is accepted or rejected with its own code; the good ones of the batch are stored", () =>
      Effect.gen(function* () {
        // Started Oct 10: period Oct 10 -> Nov 10 is invoiced and finalized, Nov 10 -> Dec 10 is open.
        yield* setNow("2026-10-10T09:00:00Z")
        const { catalog, customer, partner, partnerKey, trunk } = yield* trunkWorld
        const ended = yield* subscribe(
          customer.id,
          { plan_id: catalog.plans["SIP Trunk Channel Monthly"], characteristics: TRUNK },
          partnerKey
        )
        const stranger = yield* trunkWorld
        yield* setNow("2026-11-20T12:00:00Z")
        expectData(yield* call("POST", `${V1}/subscriptions/${ended.id}/cancel`, { key: partnerKey, body: { when: "immediately" } }))
        yield* billedBy({ id: customer.id, partner_id: partner.id }, trunk.id, "2026-10-10T09:00:00Z", "2026-11-10T09:00:00Z", "finalized")

        const good = [
          voice(trunk.id, "12.5", "2026-11-15T08:00:00Z"),
          { ...voice(trunk.id, 30, "2026-11-20T12:03:00Z"), sku_id: catalog.skus["voice-minutes"] }
        ]
        const batch = [
          good[0], // 0
          { ...voice(trunk.id, "1", "2026-11-15T08:00:00Z"), transaction_id: undefined }, // 1
          voice(trunk.id, 1.5, "2026-11-15T08:00:00Z"), // 2: a fraction as a JSON number
          voice("sub_doesnotexist", "1", "2026-11-15T08:00:00Z"), // 3
          voice(stranger.trunk.id, "1", "2026-11-15T08:00:00Z"), // 4: another partner's
          { ...voice(trunk.id, "1", "2026-11-15T08:00:00Z"), sku_id: "no-such-sku" }, // 5
          { ...voice(trunk.id, "1", "2026-11-15T08:00:00Z"), sku_id: "toll-free-minutes-eu" }, // 6: not on the plan
          voice(trunk.id, "-3", "2026-11-15T08:00:00Z"), // 7
          voice(trunk.id, "1", "2026-10-01T00:00:00Z"), // 8: before it started
          voice(ended.id, "1", "2026-11-20T12:01:00Z"), // 9: after it was cancelled
          voice(trunk.id, "1", "2026-11-20T12:10:00Z"), // 10: 10 minutes ahead
          voice(trunk.id, "1", "2026-10-20T00:00:00Z"), // 11: in the finalized period
          good[1], // 12: 3 minutes ahead is fine; the SKU by id
          "not a record", // 13
          voice(trunk.id, "1000000000000", "2026-11-15T08:00:00Z") // 14: 13 digits before the point
        ]
        const result = yield* ingest(batch, partnerKey)
        expect(result.accepted).toBe(2)
        expect(result.duplicates).toBe(0)
        expect(result.rejected.map((r: any) => [r.index, r.code])).toEqual([
          [1, "invalid_record"],
          [2, "invalid_record"],
          [3, "unknown_subscription"],
          [4, "unknown_subscription"],
          [5, "unknown_sku"],
          [6, "unknown_sku"],
          [7, "invalid_quantity"],
          [8, "outside_subscription"],
          [9, "outside_subscription"],
          [10, "future_timestamp"],
          [11, "period_closed"],
          [13, "invalid_record"],
          [14, "invalid_quantity"]
        ])
        const messages = Object.fromEntries(result.rejected.map((r: any) => [r.index, r.message]))
        expect(messages[1]).toMatch(/^transaction_id: /)
        expect(messages[2]).toMatch(/^quantity: /)
        // A foreign subscription reads exactly like a missing one.
        expect(messages[4]).toBe(`subscription_id: subscription ${stranger.trunk.id} not found`)
        expect(messages[7]).toBe("quantity: must not be negative")
        expect(messages[14]).toBe("quantity: must have at most 12 digits before the point: a period's usage of a SKU is less than 1000000000000")

        expect(yield* storedCount(trunk.id)).toBe(2)
        const totals = expectData(yield* usage({ subscription_id: trunk.id }, partnerKey))
        expect(totals).toMatchObject({ subscription_id: trunk.id, group_by: "sku", from: null, to: null })
        expect(totals.totals).toEqual([{ sku_id: catalog.skus["voice-minutes"], sku_code: "voice-minutes", quantity: "42.5" }])
      }))

    it.effect("a record with text PostgreSQL cannot store is rejected on its own; the rest of the batch is stored", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-11-05T00:00:00Z")
        const at = "2026-11-02T00:00:00Z"
        const batch = [
          voice(trunk.id, "1", at), // 0
          voice(trunk.id, "1", at, "nul-\u0000-id"), // 1
          { ...voice(trunk.id, "1", at), sku_id: "voice-\u0000minutes" }, // 2
          voice(`${trunk.id}\u0000`, "1", at), // 3
          voice(trunk.id, "1", at, "surrogate-\ud800"), // 4
          voice(trunk.id, "2", at) // 5
        ]
        const result = yield* ingest(batch, partnerKey)
        expect(result.accepted).toBe(2)
        expect(result.rejected.map((r: any) => [r.index, r.code])).toEqual([
          [1, "invalid_record"],
          [2, "invalid_record"],
          [3, "invalid_record"],
          [4, "invalid_record"]
        ])
        expect(result.rejected.map((r: any) => r.message.split(":")[0])).toEqual([
          "transaction_id",
          "sku_id",
          "subscription_id",
          "transaction_id"
        ])
        expect(yield* storedCount(trunk.id)).toBe(2)
      }))

    it.effect("a field of the wrong type or length is told the shape it takes, not the schema's words", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-11-05T00:00:00Z")
        const at = "2026-11-02T00:00:00Z"
        const result = yield* ingest([
          { ...voice(trunk.id, "1", at), occurred_at: 1762041600 },
          { ...voice(trunk.id, "1", at), transaction_id: 123 },
          voice(trunk.id, "1", at, "x".repeat(201)),
          voice(trunk.id, "1", "yesterday")
        ], partnerKey)
        expect(result.rejected.map((r: any) => [r.index, r.code, r.message])).toEqual([
          [0, "invalid_record", "occurred_at: must be an ISO 8601 date-time such as \"2026-11-15T08:00:00Z\""],
          [1, "invalid_record", "transaction_id: must be a string, not 123"],
          [2, "invalid_record", "transaction_id: must be at most 200 characters long"],
          [3, "invalid_record", "occurred_at: must be an ISO 8601 date-time"]
        ])

        // Instants the database cannot store: each its own rejection, not a 500 for the whole batch.
        const far = yield* post([
          voice(trunk.id, "1", "0000-01-01T00:00:00Z"),
          voice(trunk.id, "1", "-000001-01-01T00:00:00Z"),
          voice(trunk.id, "1", "0001-01-01T00:30:00+01:00"),
          voice(trunk.id, "1", at)
        ], partnerKey)
        expect(far.status).toBe(200)
        expect(far.body.data.accepted).toBe(1)
        expect(far.body.data.rejected.map((r: any) => [r.index, r.code, r.message])).toEqual([0, 1, 2].map((index) => [
          index,
          "invalid_record",
          "occurred_at: must be an ISO 8601 date-time from 0001-01-01 to 9999-12-31"
        ]))
        for (const bound of ["from", "to"]) {
          const answer = yield* usage({ subscription_id: trunk.id, [bound]: "0000-01-01T00:00:00Z" }, partnerKey)
          expectError(answer, 422, "validation_error", bound)
        }
      }))

    it.effect("usage stamped to the second counts from the second the subscription started", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T08:00:00.600Z")
        const { partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-11-01T09:00:00Z")
        const result = yield* ingest([
          voice(trunk.id, "1", "2026-11-01T08:00:00Z"),
          voice(trunk.id, "1", "2026-11-01T07:59:59Z")
        ], partnerKey)
        expect(result.accepted).toBe(1)
        expect(result.rejected.map((r: any) => [r.index, r.code])).toEqual([[1, "outside_subscription"]])
      }))

    it.effect("a replay is counted as duplicates and never stored twice, also within one batch", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-11-05T00:00:00Z")
        const records = Array.from({ length: 5 }, (_, i) => voice(trunk.id, "10", `2026-11-0${i + 1}T00:00:00Z`))
        expect(yield* ingest(records, partnerKey)).toEqual({ accepted: 5, duplicates: 0, rejected: [] })
        expect(yield* ingest(records, partnerKey)).toEqual({ accepted: 0, duplicates: 5, rejected: [] })
        // The same id twice in one batch, and a replay with another quantity: the first one counts.
        const again = voice(trunk.id, "7", "2026-11-04T00:00:00Z")
        expect(yield* ingest([again, again, { ...records[0], quantity: "999" }], partnerKey))
          .toEqual({ accepted: 1, duplicates: 2, rejected: [] })
        expect(yield* storedCount(trunk.id)).toBe(6)
        expect(expectData(yield* usage({ subscription_id: trunk.id }, partnerKey)).totals[0].quantity).toBe("57")
        // The platform reporting the same transaction ids for the customer: still duplicates.
        expect(yield* ingest(records)).toEqual({ accepted: 0, duplicates: 5, rejected: [] })
      }))

    it.effect("two calls with the same records at once store each record once", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { distributorKey, partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-11-10T00:00:00Z")
        const records = Array.from({ length: 300 }, (_, i) => voice(trunk.id, "1", "2026-11-05T00:00:00Z", `race-${trunk.id}-${i}`))
        const [a, b] = yield* Effect.all([ingest(records, partnerKey), ingest(records, distributorKey)], { concurrency: 2 })
        expect(a.accepted + b.accepted).toBe(300)
        expect(a.duplicates + b.duplicates).toBe(300)
        expect([...a.rejected, ...b.rejected]).toEqual([])
        expect(yield* storedCount(trunk.id)).toBe(300)
      }))

    it.effect("a threshold is raised once per period, however it is crossed, replayed or raced; again next period", () =>
      Effect.gen(function* () {
        // Anchored Nov 10: periods Nov 10 -> Dec 10 -> Jan 10.
        yield* setNow("2026-11-10T00:00:00Z")
        const { partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-12-01T00:00:00Z")
        const at = "2026-11-20T00:00:00Z"
        // 600 + 600 crosses 1,000 in the second call.
        yield* ingest([voice(trunk.id, "600", at)], partnerKey)
        expect(yield* crossings(trunk.id)).toEqual([])
        const second = [voice(trunk.id, "600", at)]
        yield* ingest(second, partnerKey)
        expect(yield* crossings(trunk.id)).toEqual([["2026-11-10T00:00:00.000Z", 1000]])
        // Replayed: duplicates, nothing raised again.
        expect(yield* ingest(second, partnerKey)).toMatchObject({ accepted: 0, duplicates: 1 })
        // Eight calls at once taking the total from 1,200 past 5,000 (500 each: only together do they cross it).
        yield* Effect.all(
          Array.from({ length: 8 }, () => ingest([voice(trunk.id, "500", at)], partnerKey)),
          { concurrency: 8 }
        )
        // One call crossing 10,000 with several records.
        yield* ingest([voice(trunk.id, "3000", at), voice(trunk.id, "3000", at)], partnerKey)
        expect(yield* crossings(trunk.id)).toEqual([
          ["2026-11-10T00:00:00.000Z", 1000],
          ["2026-11-10T00:00:00.000Z", 5000],
          ["2026-11-10T00:00:00.000Z", 10000]
        ])
        const crossed = (yield* events({ type: "usage.threshold_crossed" })).find((e: any) =>
          e.data.subscription_id === trunk.id && e.data.threshold === 10000)
        expect(crossed.data).toMatchObject({
          customer_id: trunk.customer_id,
          sku_code: "voice-minutes",
          period_start: "2026-11-10T00:00:00.000Z",
          usage: "11200"
        })
        expect(crossed.data.sku_id).toMatch(/^sku_/)

        // The next period counts from zero.
        yield* setNow("2026-12-12T00:00:00Z")
        yield* ingest([voice(trunk.id, "1500", "2026-12-11T00:00:00Z")], partnerKey)
        expect((yield* crossings(trunk.id)).slice(3)).toEqual([["2026-12-10T00:00:00.000Z", 1000]])
      }))

    it.effect("late usage of a period whose invoice is still a draft is accepted and flags the draft for re-rating", () =>
      Effect.gen(function* () {
        yield* setNow("2026-10-01T00:00:00Z")
        const { customer, partner, partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-11-01T01:00:00Z")
        const draft = yield* billedBy(
          { id: customer.id, partner_id: partner.id },
          trunk.id,
          "2026-10-01T00:00:00Z",
          "2026-11-01T00:00:00Z",
          "draft"
        )
        expect(yield* needsRerate(draft)).toBe(false)
        const late = [voice(trunk.id, "5", "2026-10-31T23:00:00Z")]
        expect(yield* ingest(late, partnerKey)).toMatchObject({ accepted: 1 })
        expect(yield* needsRerate(draft)).toBe(true)
        // Once re-rated, a replay adds nothing, so it flags nothing.
        yield* Effect.orDie(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`update invoices set needs_rerate = false where id = ${draft}`))
        expect(yield* ingest(late, partnerKey)).toMatchObject({ accepted: 0, duplicates: 1 })
        expect(yield* needsRerate(draft)).toBe(false)
      }))

    it.effect("the library ingests a stream in batches of 1,000, indexes counted over the whole stream", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { trunk } = yield* trunkWorld
        yield* setNow("2026-11-02T00:00:00Z")
        const records = Array.from({ length: 2_500 }, (_, i) =>
          i === 1_700 ? voice(trunk.id, "-1", "2026-11-01T10:00:00Z") : voice(trunk.id, "2", "2026-11-01T10:00:00Z"))
        const operator = yield* (yield* Identity).platformOperator
        const result = yield* (yield* UsageService).ingest(operator, Stream.fromIterable(records))
        expect(result.accepted).toBe(2_499)
        expect(result.rejected.map((r) => [r.index, r.code])).toEqual([[1_700, "invalid_quantity"]])
        expect(yield* storedCount(trunk.id)).toBe(2_499)
      }))

    it.effect("a call carries 1 to 1,000 records", () =>
      Effect.gen(function* () {
        const record = voice("sub_x", "1", "2026-11-01T00:00:00Z")
        expectError(yield* post(Array.from({ length: 1001 }, () => record)), 422, "validation_error", "records")
        expectError(yield* post([]), 422, "validation_error", "records")
        expectError(yield* call("POST", `${V1}/usage`, { body: { records: "nope" } }), 422, "validation_error", "records")
        expectError(yield* call("POST", `${V1}/usage`, { body: {} }), 422, "validation_error", "records")
        // 1,000 is fine (every record rejected here, one by one).
        const answer = yield* ingest(Array.from({ length: 1000 }, () => record))
        expect(answer.rejected).toHaveLength(1000)
      }))

    it.effect("GET /usage: totals per SKU or per SKU per UTC day, within from/to, in the caller's scope", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { catalog, customer, partner, partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-11-04T00:00:00Z")
        yield* ingest([
          voice(trunk.id, "1.25", "2026-11-01T23:59:59Z"),
          voice(trunk.id, "2", "2026-11-02T00:00:00Z"),
          voice(trunk.id, "3", "2026-11-02T22:00:00Z"),
          voice(trunk.id, "4", "2026-11-03T10:00:00Z")
        ], partnerKey)
        const sku = catalog.skus["voice-minutes"]
        expect(expectData(yield* usage({ subscription_id: trunk.id, group_by: "sku" }, partnerKey)).totals)
          .toEqual([{ sku_id: sku, sku_code: "voice-minutes", quantity: "10.25" }])
        expect(expectData(yield* usage({ subscription_id: trunk.id, group_by: "day" }, partnerKey)).totals).toEqual([
          { sku_id: sku, sku_code: "voice-minutes", day: "2026-11-01", quantity: "1.25" },
          { sku_id: sku, sku_code: "voice-minutes", day: "2026-11-02", quantity: "5" },
          { sku_id: sku, sku_code: "voice-minutes", day: "2026-11-03", quantity: "4" }
        ])
        const window = expectData(yield* usage({
          subscription_id: trunk.id,
          group_by: "day",
          from: "2026-11-02T00:00:00Z",
          to: "2026-11-03T00:00:00Z"
        }, partnerKey))
        expect(window).toMatchObject({ from: "2026-11-02T00:00:00.000Z", to: "2026-11-03T00:00:00.000Z" })
        expect(window.totals).toEqual([{ sku_id: sku, sku_code: "voice-minutes", day: "2026-11-02", quantity: "5" }])

        expectError(yield* usage({ subscription_id: trunk.id, group_by: "week" }, partnerKey), 422, "validation_error", "group_by")
        expectError(yield* usage({ subscription_id: trunk.id, from: "yesterday" }, partnerKey), 422, "validation_error", "from")
        const stranger = yield* channel()
        expectError(yield* usage({ subscription_id: trunk.id }, stranger.partnerKey), 404, "not_found")
        expectError(yield* usage({ subscription_id: "sub_nope" }, partnerKey), 404, "not_found")

        // The customer reads its usage but may not report any; nor may a viewer.
        const email = uniqueEmail("usage-admin")
        expectData(yield* call("POST", `${V1}/customers/${customer.id}/admins`, {
          body: { email, name: "U admin", password: TEST_PASSWORD }
        }), 201)
        const customerToken = (yield* signIn(email)).access_token
        expect(expectData(yield* usage({ subscription_id: trunk.id }, customerToken)).totals).toHaveLength(1)
        expectError(yield* post([voice(trunk.id, "1", "2026-11-03T00:00:00Z")], customerToken), 403, "forbidden")
        const viewer = yield* createKey(partner.id, "viewer")
        expectError(yield* post([voice(trunk.id, "1", "2026-11-03T00:00:00Z")], viewer), 403, "forbidden")
      }))
  })
})
