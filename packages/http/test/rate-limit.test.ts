import * as HttpServer from "@effect/platform/HttpServer"
import * as OpenApi from "@effect/platform/OpenApi"
import { describe, expect, it } from "@effect/vitest"
import { ProvisioApi } from "@provisio/http/api"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import {
  type Answer,
  call,
  type CallOptions,
  channel,
  createKey,
  expectData,
  serverOver,
  sharedDatabase,
  TestServer,
  withSettings
} from "./harness"
import { parametersOf, resolve, responseOf } from "./openapi-document"

/** Tiny budgets for viewers and managers; admins (who set the tests up) keep the default. */
const LIMITS = { PROVISIO_RATE_LIMIT_VIEWER: "3/minute", PROVISIO_RATE_LIMIT_MANAGER: "2/minute" }
const limited = withSettings(LIMITS)

const me = (key: string | null, options: CallOptions = {}) => call("GET", "/api/v1/me", { ...options, key })

const expectLimited = (answer: Answer, retryAfter: number) => {
  expect(answer.status, answer.text).toBe(429)
  expect(answer.body).toMatchObject({ success: false, error: { code: "rate_limited" }, meta: { api_version: "v1" } })
  expect(answer.headers["retry-after"]).toBe(String(retryAfter))
  expect(answer.headers["x-request-id"]).toBe(answer.body.meta.request_id)
}

const expectAllowed = (answer: Answer) => {
  expect(answer.status, answer.text).toBe(200)
  expect(answer.headers["retry-after"]).toBeUndefined()
}

describe("rate limits", () => {
  it.layer(limited(TestServer))("per credential", (it) => {
    it.effect("the budget's requests pass, the next is 429 with Retry-After, and a refill lets one more through", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const viewer = yield* createKey(partner.id, "viewer")
        for (let i = 0; i < 3; i++) expectAllowed(yield* me(viewer))
        // 3 a minute: a token every 20 seconds.
        expectLimited(yield* me(viewer), 20)
        yield* TestClock.adjust("15 seconds")
        expectLimited(yield* me(viewer), 5)
        yield* TestClock.adjust("5 seconds")
        expectAllowed(yield* me(viewer))
        expectLimited(yield* me(viewer), 20)
        // A full minute refills the whole bucket, and no more.
        yield* TestClock.adjust("10 minutes")
        for (let i = 0; i < 3; i++) expectAllowed(yield* me(viewer))
        expectLimited(yield* me(viewer), 20)
      }))

    it.effect("another credential has its own bucket", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const spent = yield* createKey(partner.id, "viewer")
        const fresh = yield* createKey(partner.id, "viewer")
        for (let i = 0; i < 3; i++) expectAllowed(yield* me(spent))
        expectLimited(yield* me(spent), 20)
        for (let i = 0; i < 3; i++) expectAllowed(yield* me(fresh))
        expectLimited(yield* me(fresh), 20)
        // Admins have their own, larger budget.
        expectAllowed(yield* me(yield* createKey(partner.id, "admin")))
      }))

    it.effect("the limit is per role: managers get 2 a minute here", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const manager = yield* createKey(partner.id, "manager")
        for (let i = 0; i < 2; i++) expectAllowed(yield* me(manager))
        expectLimited(yield* me(manager), 30)
      }))

    it.effect("X-Tenant-ID does not open a new budget", () =>
      Effect.gen(function* () {
        const { distributor, partner } = yield* channel()
        const viewer = yield* createKey(distributor.id, "viewer")
        expectAllowed(yield* me(viewer))
        expectAllowed(yield* me(viewer, { headers: { "x-tenant-id": partner.id } }))
        expectAllowed(yield* me(viewer))
        expectLimited(yield* me(viewer, { headers: { "x-tenant-id": partner.id } }), 20)
      }))

    it.effect("unauthenticated requests are not limited here", () =>
      Effect.gen(function* () {
        for (let i = 0; i < 10; i++) {
          const answer = yield* me(null)
          expect(answer.status).toBe(401)
        }
        for (let i = 0; i < 10; i++) expect((yield* call("GET", "/healthz", { key: null })).status).toBe(200)
      }))

    it.effect("a rate-limited POST is not kept under its idempotency key: the retry runs", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const manager = yield* createKey(partner.id, "manager")
        for (let i = 0; i < 2; i++) expectAllowed(yield* me(manager))
        const post = { key: manager, body: { name: "Later" }, headers: { "x-idempotency-key": "after-the-limit" } }
        const refused = yield* call("POST", "/api/v1/customers", post)
        expectLimited(refused, 30)
        yield* TestClock.adjust("30 seconds")
        const created = yield* call("POST", "/api/v1/customers", post)
        expect(created.status, created.text).toBe(201)
        expect(created.headers["idempotent-replayed"]).toBeUndefined()
        // The replay of the kept answer costs no token: it is answered before authentication.
        const replayed = yield* call("POST", "/api/v1/customers", post)
        expect(replayed.text).toBe(created.text)
        expect(replayed.headers["idempotent-replayed"]).toBe("true")
      }))
  })

  it.scoped("two servers over one database share the buckets (as several processes would)", () =>
    Effect.gen(function* () {
      const database = yield* sharedDatabase
      // Layer.build makes a new server each time: its own port, its own layers, the same database.
      const first = yield* Layer.build(limited(serverOver(database)))
      const second = yield* Layer.build(limited(serverOver(database)))
      const port = (context: Context.Context<HttpServer.HttpServer>) => {
        const address = Context.get(context, HttpServer.HttpServer).address
        return address._tag === "TcpAddress" ? address.port : address.path
      }
      expect(port(first)).not.toBe(port(second))
      const onFirst = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, first)
      const onSecond = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, second)

      const { partner } = yield* onFirst(channel())
      const viewer = yield* onFirst(createKey(partner.id, "viewer"))
      // The key made through the first server works on the second: one database.
      expect(expectData(yield* onSecond(me(viewer))).role).toBe("viewer")
      expectAllowed(yield* onFirst(me(viewer)))
      expectAllowed(yield* onSecond(me(viewer)))
      expectLimited(yield* onFirst(me(viewer)), 20)
      expectLimited(yield* onSecond(me(viewer)), 20)
      yield* TestClock.adjust("20 seconds")
      expectAllowed(yield* onSecond(me(viewer)))
      expectLimited(yield* onFirst(me(viewer)), 20)
    }))
})

describe("rate limits across processes", () => {
  // 100 a minute: each server leases 5 tokens at a time from the bucket in the database.
  const shared = withSettings({ PROVISIO_RATE_LIMIT_VIEWER: "100/minute" })

  it.scoped("two servers spending one bucket from leases let exactly the limit through, never more", () =>
    Effect.gen(function* () {
      const database = yield* sharedDatabase
      const servers = [yield* Layer.build(shared(serverOver(database))), yield* Layer.build(shared(serverOver(database)))]
      const { partner } = yield* Effect.provide(channel(), servers[0]!)
      const viewer = yield* Effect.provide(createKey(partner.id, "viewer"), servers[0]!)
      let allowed = 0
      let refused = 0
      for (let i = 0; i < 130; i++) {
        const answer = yield* Effect.provide(me(viewer), servers[i % 2]!)
        if (answer.status === 200) allowed++
        else {
          expectLimited(answer, 1)
          refused++
        }
      }
      // Alternating, each server spends its leases to the end: the two together pass the 100.
      expect(allowed).toBe(100)
      expect(refused).toBe(30)
      // Most requests wrote nothing: the bucket was written once per lease.
      yield* TestClock.adjust("3 seconds")
      expectAllowed(yield* Effect.provide(me(viewer), servers[1]!))
    }))
})

describe("OpenAPI document", () => {
  const spec = OpenApi.fromApi(ProvisioApi) as any

  it("documents 429 rate_limited with Retry-After on every endpoint", () => {
    for (const [path, item] of Object.entries<any>(spec.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        const limited = responseOf(spec, operation, "429")
        expect(limited, `${method} ${path} documents 429`).toBeDefined()
        expect(resolve(spec, limited.headers["Retry-After"]).schema.type).toBe("integer")
      }
    }
    expect(spec.components.schemas["RateLimited"].properties.error.properties.code.enum).toEqual(["rate_limited"])
  })

  it("documents X-Idempotency-Key and its errors on every POST under /api/v1", () => {
    const posts = Object.entries<any>(spec.paths)
      .filter(([path, item]) => path.startsWith("/api/v1/") && item.post !== undefined)
      .map(([path, item]) => ({ path, operation: item.post }))
    expect(posts.length).toBeGreaterThan(0)
    for (const { operation, path } of posts) {
      expect(parametersOf(spec, operation).map((p: { name: string }) => p.name), path).toContain("X-Idempotency-Key")
      expect(JSON.stringify(responseOf(spec, operation, "409")), path).toContain("IdempotencyInProgress")
      expect(JSON.stringify(responseOf(spec, operation, "422")), path).toContain("IdempotencyKeyReused")
    }
    expect(spec.components.schemas["IdempotencyKeyReused"].properties.error.properties.code.enum).toEqual([
      "idempotency_key_reused"
    ])
  })
})
