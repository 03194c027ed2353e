import { describe, expect, it } from "@effect/vitest"
import { PRINCIPAL_CACHE_BOUND } from "@provisio/core/auth/principal-cache"
import type * as SqlClient from "@effect/sql/SqlClient"
import { TestDatabase } from "@provisio/adapters/testing/database"
import { makeDirectReads } from "@provisio/http/direct-reads"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import { type Answer, call, channel, createKey, expectData, expectError, serverOver, sharedDatabase, withSettings, spiedDirectRoutes } from "./harness"
import { createCustomer, exampleCatalog, SEAT, subscribe, V1 } from "./ordering-fixtures"

/**
 * `GET /subscriptions/{id}` and `GET /customers/{id}` are answered by the direct reads, outside
 * the app's pipeline (direct-reads.ts). Each request here is sent twice to one server: as is,
 * which the direct reads take, and with a query string, which they hand to the app (the app
 * ignores it). Both must answer alike: status, body, headers. The spy says which requests the
 * direct reads took, so a test cannot pass with the direct path silently off.
 */

const taken: Array<string> = []

const spied = spiedDirectRoutes(makeDirectReads, taken)

const SpiedServer = <E, R>(database: Layer.Layer<SqlClient.SqlClient, E, R>) => serverOver(database, spied)

/** What must agree between two answers: all but the request id, the date and the connection. */
const comparable = (answer: Answer) => {
  const { date: _date, connection: _connection, "keep-alive": _keepAlive, ...headers } = answer.headers
  const requestId = answer.body?.meta?.request_id
  return {
    status: answer.status,
    headers: { ...headers, "x-request-id": headers["x-request-id"] === requestId ? "<id>" : headers["x-request-id"] },
    body: answer.body === undefined ? answer.text : { ...answer.body, meta: { ...answer.body.meta, request_id: "<id>" } }
  }
}

/** The request through the direct reads and through the app: both answers, after checking they agree. */
const bothWays = (path: string, options: { readonly key?: string | null; readonly headers?: Record<string, string> } = {}) =>
  Effect.gen(function* () {
    const before = taken.length
    const direct = yield* call("GET", path, options)
    const tookIt = taken.length > before
    const viaApp = yield* call("GET", `${path}?via=app`, options)
    expect(taken.length - before, "the app's request is never taken").toBe(tookIt ? 1 : 0)
    expect(comparable(direct), path).toEqual(comparable(viaApp))
    return { direct, tookIt }
  })

const setup = Effect.gen(function* () {
  const catalog = yield* exampleCatalog
  const own = yield* channel()
  const other = yield* channel()
  const customer = yield* createCustomer(own.partner.id)
  const subscription = yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT })
  const otherCustomer = yield* createCustomer(other.partner.id)
  return { own, other, customer, subscription, otherCustomer }
})

describe("direct reads", () => {
  it.layer(withSettings({ PROVISIO_RATE_LIMIT_ADMIN: "off" })(SpiedServer(TestDatabase)))("answer as the app does", (it) => {
    it.effect("a subscription and a customer the caller sees", () =>
      Effect.gen(function* () {
        const { own, customer, subscription } = yield* setup
        const read = yield* bothWays(`${V1}/subscriptions/${subscription.id}`, { key: own.partnerKey })
        expect(read.tookIt).toBe(true)
        expect(expectData(read.direct)).toEqual(subscription)
        expect(read.direct.headers["content-type"]).toBe("application/json")
        const asPlatform = yield* bothWays(`${V1}/subscriptions/${subscription.id}`)
        expect(expectData(asPlatform.direct).id).toBe(subscription.id)
        const viaDistributor = yield* bothWays(`${V1}/customers/${customer.id}`, { key: own.distributorKey })
        expect(viaDistributor.tookIt).toBe(true)
        expect(expectData(viaDistributor.direct).id).toBe(customer.id)
        const traced = yield* bothWays(`${V1}/customers/${customer.id}`, { key: own.partnerKey, headers: { "x-request-id": "trace-7" } })
        expect(traced.direct.headers["x-request-id"]).toBe("trace-7")
        expect(traced.direct.body.meta.request_id).toBe("trace-7")
      }))

    it.effect("another tenant's, an unknown or a malformed id: the same refusals", () =>
      Effect.gen(function* () {
        const { own, other, customer, subscription, otherCustomer } = yield* setup
        const hidden = yield* bothWays(`${V1}/subscriptions/${subscription.id}`, { key: other.partnerKey })
        expect(hidden.tookIt).toBe(true)
        expectError(hidden.direct, 404, "not_found")
        expectError((yield* bothWays(`${V1}/customers/${customer.id}`, { key: other.distributorKey })).direct, 404, "not_found")
        expectError((yield* bothWays(`${V1}/customers/${otherCustomer.id}`, { key: own.partnerKey })).direct, 404, "not_found")
        const unknown = yield* bothWays(`${V1}/subscriptions/sub_00000000000000000000000000`, { key: other.partnerKey })
        expectError(unknown.direct, 404, "not_found")
        const malformed = yield* bothWays(`${V1}/subscriptions/not-an-id`, { key: other.partnerKey })
        expect(malformed.tookIt).toBe(false)
        expectError(malformed.direct, 404, "not_found")
      }))

    it.effect("no token, a wrong token, a narrowed tenant: the same answers", () =>
      Effect.gen(function* () {
        const { own, other, customer, subscription } = yield* setup
        const path = `${V1}/subscriptions/${subscription.id}`
        expectError((yield* bothWays(path, { key: null })).direct, 401, "unauthorized")
        const wrong = yield* bothWays(path, { key: "pvo_not_a_real_key" })
        expect(wrong.tookIt).toBe(true)
        expectError(wrong.direct, 401, "unauthorized")
        const narrowed = yield* bothWays(path, { key: own.distributorKey, headers: { "x-tenant-id": own.partner.id } })
        expect(expectData(narrowed.direct).id).toBe(subscription.id)
        const toCustomer = yield* bothWays(path, { key: own.partnerKey, headers: { "x-tenant-id": customer.id } })
        expect(expectData(toCustomer.direct).id).toBe(subscription.id)
        const elsewhere = yield* bothWays(path, { key: own.distributorKey, headers: { "x-tenant-id": other.partner.id } })
        expect(elsewhere.direct.status).toBeGreaterThanOrEqual(400)
      }))
  })

  it.layer(withSettings({ PROVISIO_RATE_LIMIT_VIEWER: "3/minute", PROVISIO_RATE_LIMIT_ADMIN: "off" })(SpiedServer(TestDatabase)))(
    "rate limits",
    (it) => {
      it.effect("a token per read; past the limit, 429 with Retry-After as from the app", () =>
        Effect.gen(function* () {
          const { own, subscription } = yield* setup
          const viewer = yield* createKey(own.partner.id, "viewer")
          const path = `${V1}/subscriptions/${subscription.id}`
          for (let i = 0; i < 3; i++) expectData(yield* call("GET", path, { key: viewer }))
          const refused = yield* call("GET", path, { key: viewer })
          expectError(refused, 429, "rate_limited")
          expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0)
          const viaApp = yield* call("GET", `${path}?via=app`, { key: viewer })
          expect(comparable(refused)).toEqual(comparable(viaApp))
        }))
    }
  )

  it.scoped("a deleted key and a suspended account are refused by another server within the bound", () =>
    Effect.gen(function* () {
      const BOUND_MS = Duration.toMillis(PRINCIPAL_CACHE_BOUND)
      const database = yield* sharedDatabase
      const first = yield* Layer.build(SpiedServer(database))
      const second = yield* Layer.build(SpiedServer(database))
      const onFirst = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, first)
      const onSecond = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, second)
      const { own, subscription } = yield* onFirst(setup)
      const path = `${V1}/subscriptions/${subscription.id}`
      const created = expectData(yield* onFirst(call("POST", `${V1}/api-keys`, { body: { account_id: own.partner.id, role: "viewer" } })), 201)
      const before = taken.length
      expectData(yield* onSecond(call("GET", path, { key: created.secret })))
      expect(taken.length).toBe(before + 1)

      expect((yield* onFirst(call("DELETE", `${V1}/api-keys/${created.id}`))).status).toBe(204)
      yield* TestClock.adjust(BOUND_MS - 1)
      expect((yield* onSecond(call("GET", path, { key: created.secret }))).status).toBe(200)
      yield* TestClock.adjust(1)
      expectError(yield* onSecond(call("GET", path, { key: created.secret })), 401, "unauthorized")

      expectData(yield* onSecond(call("GET", path, { key: own.partnerKey })))
      expectData(yield* onFirst(call("PUT", `${V1}/partners/${own.partner.id}`, { body: { status: "suspended" } })))
      yield* TestClock.adjust(BOUND_MS)
      expectError(yield* onSecond(call("GET", path, { key: own.partnerKey })), 403, "account_suspended")
      expectError(yield* onFirst(call("GET", path, { key: own.partnerKey })), 403, "account_suspended")
    }))
})
