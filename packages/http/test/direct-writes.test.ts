import { describe, expect, it } from "@effect/vitest"
import type * as SqlClient from "@effect/sql/SqlClient"
import { TestDatabase } from "@provisio/adapters/testing/database"
import { makeDirectWrites } from "@provisio/http/direct-writes"
import { PRINCIPAL_CACHE_BOUND } from "@provisio/core/auth/principal-cache"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import type * as Layer from "effect/Layer"
import { type Answer, call, channel, createKey, expectData, expectError, serverOver, withSettings, spiedDirectRoutes } from "./harness"
import { V1 } from "./ordering-fixtures"

/**
 * `POST /customers` is answered by the direct writes, outside the app's pipeline
 * (direct-writes.ts). Each request here is sent twice to one server: as is, which the direct
 * writes take, and with a query string, which they leave to the app (the app ignores it). Both
 * must answer alike: status, headers, body (but the new customer's own id and times). The spy
 * says which requests the direct writes took, so a test cannot pass with them silently off.
 */

const taken: Array<string> = []

const spied = spiedDirectRoutes(makeDirectWrites, taken)

const SpiedServer = <E, R>(database: Layer.Layer<SqlClient.SqlClient, E, R>) => serverOver(database, spied)

const CUSTOMERS = `${V1}/customers`

/** What must agree between two answers: all but the request id, the date, and a new customer's id and times. */
const comparable = (answer: Answer) => {
  const { date: _date, connection: _connection, "keep-alive": _keepAlive, ...headers } = answer.headers
  const requestId = answer.body?.meta?.request_id
  const data = answer.body?.data === undefined ? undefined : { ...answer.body.data, id: "<id>", created_at: "<at>", updated_at: "<at>" }
  return {
    status: answer.status,
    headers: { ...headers, "x-request-id": headers["x-request-id"] === requestId ? "<id>" : headers["x-request-id"] },
    body: answer.body === undefined
      ? answer.text
      : { ...answer.body, ...(data === undefined ? {} : { data }), meta: { ...answer.body.meta, request_id: "<id>" } }
  }
}

interface Sent {
  readonly key?: string | null
  readonly body?: unknown
  readonly raw?: string
  readonly headers?: Record<string, string>
}

/** The POST through the direct writes and through the app: both answers, after checking they agree. */
const bothWays = (sent: Sent, idempotencyKey?: string) =>
  Effect.gen(function* () {
    const before = taken.length
    const withKey = (suffix: string) =>
      idempotencyKey === undefined ? sent.headers : { ...sent.headers, "x-idempotency-key": `${idempotencyKey}-${suffix}` }
    const direct = yield* call("POST", CUSTOMERS, { ...sent, headers: withKey("direct") })
    const tookIt = taken.length > before
    const viaApp = yield* call("POST", `${CUSTOMERS}?via=app`, { ...sent, headers: withKey("app") })
    expect(taken.length - before, "the app's request is never taken").toBe(tookIt ? 1 : 0)
    expect(comparable(direct), JSON.stringify(sent)).toEqual(comparable(viaApp))
    return { direct, tookIt }
  })

/** The customers `key`'s account sees whose name is `name`. */
const named = (key: string, name: string) =>
  Effect.map(call("GET", `${CUSTOMERS}?search=${encodeURIComponent(name)}&limit=100`, { key }), (answer) =>
    (expectData(answer) as ReadonlyArray<{ readonly name: string }>).filter((customer) => customer.name === name))

describe("direct writes", () => {
  it.layer(withSettings({ PROVISIO_RATE_LIMIT_ADMIN: "off" })(SpiedServer(TestDatabase)))("answer as the app does", (it) => {
    it.effect("a new customer, with a key and without", () =>
      Effect.gen(function* () {
        const own = yield* channel()
        const plain = yield* bothWays({ key: own.partnerKey, body: { name: "Plain", email: "a@example.com" } })
        expect(plain.tookIt).toBe(true)
        expect(expectData(plain.direct, 201)).toMatchObject({ name: "Plain", partner_id: own.partner.id })
        const keyed = yield* bothWays({ key: own.partnerKey, body: { name: "Keyed", metadata: { plan: "gold" } } }, "k1")
        expect(keyed.tookIt).toBe(true)
        expect(expectData(keyed.direct, 201)).toMatchObject({ name: "Keyed", metadata: { plan: "gold" } })
        const traced = yield* bothWays({ key: own.partnerKey, body: { name: "Traced" }, headers: { "x-request-id": "trace-9" } }, "k2")
        expect(traced.direct.headers["x-request-id"]).toBe("trace-9")
        expect(traced.direct.body.meta.request_id).toBe("trace-9")
        expect(yield* named(own.partnerKey, "Keyed")).toHaveLength(2)
      }))

    it.effect("the same refusals: the body, the caller, the use case, a taken external_id", () =>
      Effect.gen(function* () {
        const own = yield* channel()
        const other = yield* channel()
        const viewer = yield* createKey(own.partner.id, "viewer")
        // Left to the app before the use case: the schema, malformed JSON, unstorable text, the credential.
        const missing = yield* bothWays({ key: own.partnerKey, body: { email: "x@example.com" } }, "r1")
        expectError(missing.direct, 422, "validation_error", "name")
        expectError((yield* bothWays({ key: own.partnerKey, raw: "{\"name\": " }, "r2")).direct, 400, "bad_request")
        expectError((yield* bothWays({ key: own.partnerKey, body: { name: "A\u0000B" } }, "r3")).direct, 422, "validation_error", "name")
        expectError((yield* bothWays({ key: "pvo_not_a_real_key", body: { name: "Nobody" } }, "r4")).direct, 401, "unauthorized")
        // Answered by the use case.
        const viewing = yield* bothWays({ key: viewer, body: { name: "Viewer's" } }, "r5")
        expect(viewing.tookIt).toBe(true)
        expect(viewing.direct.status).toBe(403)
        const elsewhere = yield* bothWays({ key: own.partnerKey, body: { name: "Elsewhere", partner_id: other.partner.id } }, "r6")
        expectError(elsewhere.direct, 422, "validation_error", "partner_id")
        expectError((yield* bothWays({ key: own.distributorKey, body: { name: "No partner" } })).direct, 422, "validation_error", "partner_id")
        // A taken external_id: refused with the claim in one statement, then answered by the app.
        expectData(yield* call("POST", CUSTOMERS, { key: own.partnerKey, body: { name: "First", external_id: "ext-1" } }), 201)
        expectError((yield* bothWays({ key: own.partnerKey, body: { name: "Second", external_id: "ext-1" } }, "r7")).direct, 409, "duplicate_customer")
        expectError((yield* bothWays({ key: own.partnerKey, body: { name: "Second", external_id: "ext-1" } })).direct, 409, "duplicate_customer")
        expect(yield* named(own.partnerKey, "Second")).toHaveLength(0)

        // A suspended account is refused within the principal cache's bound, as by the app.
        expectData(yield* call("PUT", `${V1}/partners/${other.partner.id}`, { body: { status: "suspended" } }))
        yield* TestClock.adjust(Duration.toMillis(PRINCIPAL_CACHE_BOUND))
        expectError((yield* bothWays({ key: other.partnerKey, body: { name: "Suspended" } }, "r8")).direct, 403, "account_suspended")
      }))

    it.effect("a key: one customer, and every retry the first answer's bytes, failures included", () =>
      Effect.gen(function* () {
        const own = yield* channel()
        const other = yield* channel()
        const send = (key: string, body: unknown) =>
          call("POST", CUSTOMERS, { key: own.partnerKey, body, headers: { "x-idempotency-key": key } })
        const first = yield* send("once", { name: "Once" })
        expect(first.status).toBe(201)
        expect(first.headers["idempotent-replayed"]).toBeUndefined()
        const again = yield* send("once", { name: "Once" })
        expect(again.headers["idempotent-replayed"]).toBe("true")
        expect(again.text).toBe(first.text)
        expect(yield* named(own.partnerKey, "Once")).toHaveLength(1)
        expectError(yield* send("once", { name: "Twice" }), 422, "idempotency_key_reused")

        // Refused by the use case before it wrote anything: the refusal is kept with the key.
        const refused = yield* send("refused", { name: "Refused", partner_id: other.partner.id })
        expectError(refused, 422, "validation_error", "partner_id")
        const replayed = yield* send("refused", { name: "Refused", partner_id: other.partner.id })
        expect(replayed.headers["idempotent-replayed"]).toBe("true")
        expect(replayed.text).toBe(refused.text)

        // Refused with the claim (a taken external_id): the app's answer is kept as well.
        expectData(yield* send("ext-a", { name: "Holder", external_id: "ext-2" }), 201)
        const duplicate = yield* send("ext-b", { name: "Taker", external_id: "ext-2" })
        expectError(duplicate, 409, "duplicate_customer")
        const duplicateAgain = yield* send("ext-b", { name: "Taker", external_id: "ext-2" })
        expect(duplicateAgain.headers["idempotent-replayed"]).toBe("true")
        expect(duplicateAgain.text).toBe(duplicate.text)
      }))

    it.effect("a burst of new customers, inserted together: each as it was sent, a taken external_id refused alone", () =>
      Effect.gen(function* () {
        const own = yield* channel()
        const first = yield* call("POST", CUSTOMERS, { key: own.partnerKey, body: { name: "Burst taken", external_id: "burst-taken" } })
        expect(first.status).toBe(201)
        const bodies = Array.from({ length: 16 }, (_, i) => ({
          name: `Burst ${i}`,
          external_id: i === 7 ? "burst-taken" : `burst-${i}`,
          ...(i % 2 === 0
            ? { email: `burst${i}@example.com`, address: { line1: `${i} Main St`, city: "Wien", country: "AT" },
                metadata: { crm: `C-${i}`, quote: "it's \"quoted\" \\ back" }, currency: "EUR", payment_terms_days: 30 + i }
            : {})
        }))
        const answers = yield* Effect.all(
          bodies.map((body, i) => call("POST", CUSTOMERS, { key: own.partnerKey, body, headers: { "x-idempotency-key": `burst-key-${i}` } })),
          { concurrency: "unbounded" })
        expectError(answers[7]!, 409, "duplicate_customer")
        for (const [i, answer] of answers.entries()) {
          if (i === 7) continue
          const created = expectData(answer, 201) as Record<string, unknown>
          expect(created).toMatchObject({ name: `Burst ${i}`, external_id: `burst-${i}` })
          if (i % 2 === 0) {
            expect(created).toMatchObject({
              email: `burst${i}@example.com`, currency: "EUR", payment_terms_days: 30 + i,
              address: { line1: `${i} Main St`, line2: null, city: "Wien", state: null, postal_code: null, country: "AT" },
              metadata: { crm: `C-${i}`, quote: "it's \"quoted\" \\ back" }
            })
          } else {
            expect(created).toMatchObject({ email: null, address: null, metadata: {}, status: "active", timezone: "UTC" })
          }
          // As stored: read back, it is the answer the POST gave.
          expect(expectData(yield* call("GET", `${CUSTOMERS}/${created["id"]}`, { key: own.partnerKey }))).toEqual(created)
          // And each key keeps its own answer: a retry is the replay of that customer.
          const retry = yield* call("POST", CUSTOMERS, { key: own.partnerKey, body: bodies[i], headers: { "x-idempotency-key": `burst-key-${i}` } })
          expect(retry.status).toBe(201)
          expect(retry.headers["idempotent-replayed"]).toBe("true")
          expect(retry.body.data.id).toBe(created["id"])
        }
        expect(yield* named(own.partnerKey, "Burst 7")).toHaveLength(0)
      }))

    it.effect("concurrent uses of one key create one customer; the others are in progress or the replay", () =>
      Effect.gen(function* () {
        const own = yield* channel()
        const answers = yield* Effect.all(
          Array.from({ length: 6 }, () =>
            call("POST", CUSTOMERS, { key: own.partnerKey, body: { name: "Racer" }, headers: { "x-idempotency-key": "race" } })),
          { concurrency: "unbounded" }
        )
        const created = answers.filter((answer) => answer.status === 201)
        expect(created.length).toBeGreaterThanOrEqual(1)
        expect(new Set(created.map((answer) => answer.body.data.id)).size).toBe(1)
        for (const answer of answers) {
          if (answer.status !== 201) expectError(answer, 409, "idempotency_in_progress")
        }
        expect(yield* named(own.partnerKey, "Racer")).toHaveLength(1)
      }))
  })
})
