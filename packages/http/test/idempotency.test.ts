import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { IdempotencyStoreLive } from "@provisio/adapters/postgres/request-guards"
import { TestDatabase } from "@provisio/adapters/testing/database"
import { idempotency, isApiPath } from "@provisio/http/middleware/idempotency"
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { PersistenceError } from "@provisio/core/shared/errors"
import { IdempotencyStore, type IdempotentRequest, isKeptAnswer } from "@provisio/core/shared/idempotency"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as http from "node:http"
import { call as request, callAndTick as call, type CallOptions, channel, expectData, expectError, TestServer } from "./harness"


const CUSTOMERS = "/api/v1/customers"

let keys = 0
const newKey = () => `idem-${process.pid}-${++keys}-${Math.random().toString(36).slice(2)}`

const keyed = (key: string, options: CallOptions = {}): CallOptions => ({
  ...options,
  headers: { ...options.headers, "x-idempotency-key": key }
})

const customerNames = (key: string) =>
  Effect.map(call("GET", `${CUSTOMERS}?limit=200`, { key }), (a) => expectData(a).map((c: { name: string }) => c.name))

describe("idempotency keys", () => {
  it.layer(TestServer)("over HTTP", (it) => {
    it.effect("the same POST twice with one key creates one resource and answers the same bytes twice", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const key = newKey()
        const first = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "Once" } }))
        const second = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "Once" } }))
        expect(first.status).toBe(201)
        expect(first.headers["idempotent-replayed"]).toBeUndefined()
        expect(second.status).toBe(201)
        expect(second.text).toBe(first.text)
        expect(second.headers["idempotent-replayed"]).toBe("true")
        expect(second.headers["content-type"]).toBe(first.headers["content-type"])
        // The replay is a request of its own: its header names it, the body keeps the first one's id.
        expect(second.headers["x-request-id"]).not.toBe(first.headers["x-request-id"])
        expect(second.body.meta.request_id).toBe(first.headers["x-request-id"])
        expect(yield* customerNames(partnerKey)).toEqual(["Once"])
      }))

    it.effect("the Idempotency-Key header works the same", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const headers = { "idempotency-key": newKey() }
        const first = yield* call("POST", CUSTOMERS, { key: partnerKey, body: { name: "Alt" }, headers })
        const second = yield* call("POST", CUSTOMERS, { key: partnerKey, body: { name: "Alt" }, headers })
        expect(second.text).toBe(first.text)
        expect(second.headers["idempotent-replayed"]).toBe("true")
        expect(yield* customerNames(partnerKey)).toEqual(["Alt"])
      }))

    it.effect("the same key with another body or path is 422 idempotency_key_reused", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const key = newKey()
        const first = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "First" } }))
        expect(first.status).toBe(201)
        const otherBody = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "Second" } }))
        expectError(otherBody, 422, "idempotency_key_reused")
        expect(otherBody.body.error.field).toBe("X-Idempotency-Key")
        // The same JSON written differently is the same body (idempotency-canonical.test.ts); other JSON is not.
        const spaced = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, raw: "{ \"name\": \"First \" }" }))
        expectError(spaced, 422, "idempotency_key_reused")
        const otherPath = yield* call(
          "POST",
          `${CUSTOMERS}/${first.body.data.id}/contacts`,
          keyed(key, { key: partnerKey, body: { name: "First" } })
        )
        expectError(otherPath, 422, "idempotency_key_reused")
        expect(yield* customerNames(partnerKey)).toEqual(["First"])
        // The first use still replays.
        const again = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "First" } }))
        expect(again.text).toBe(first.text)
      }))

    it.effect("keys are scoped to the caller: another credential's key of the same name is its own", () =>
      Effect.gen(function* () {
        const a = yield* channel()
        const b = yield* channel()
        const key = newKey()
        const fromA = yield* call("POST", CUSTOMERS, keyed(key, { key: a.partnerKey, body: { name: "Same" } }))
        const fromB = yield* call("POST", CUSTOMERS, keyed(key, { key: b.partnerKey, body: { name: "Same" } }))
        expect(fromA.status).toBe(201)
        expect(fromB.status).toBe(201)
        expect(fromB.headers["idempotent-replayed"]).toBeUndefined()
        expect(fromB.body.data.id).not.toBe(fromA.body.data.id)
        expect(fromB.body.data.partner_id).toBe(b.partner.id)
        // With another body too: no 422 across callers.
        const other = yield* call("POST", CUSTOMERS, keyed(key, { key: b.distributorKey, body: { name: "Other", partner_id: b.partner.id } }))
        expect(other.status).toBe(201)
        expect(yield* customerNames(a.partnerKey)).toEqual(["Same"])
        expect(yield* customerNames(b.partnerKey)).toEqual(["Same", "Other"])
      }))

    it.effect("a caller acting for two tenants (X-Tenant-ID) has a key space for each", () =>
      Effect.gen(function* () {
        const { distributorKey, distributor } = yield* channel()
        const second = expectData(yield* call("POST", "/api/v1/partners", { body: { name: "Second", distributor_id: distributor.id, edition: "standard" } }), 201)
        const first = (yield* call("GET", `/api/v1/partners?limit=200`, { key: distributorKey })).body.data.find((p: { id: string }) => p.id !== second.id)
        const key = newKey()
        const forFirst = yield* call("POST", CUSTOMERS, keyed(key, { key: distributorKey, headers: { "x-tenant-id": first.id }, body: { name: "Same" } }))
        const forSecond = yield* call("POST", CUSTOMERS, keyed(key, { key: distributorKey, headers: { "x-tenant-id": second.id }, body: { name: "Same" } }))
        expect(forFirst.status).toBe(201)
        expect(forSecond.status).toBe(201)
        expect(forSecond.headers["idempotent-replayed"]).toBeUndefined()
        expect(forFirst.body.data.partner_id).toBe(first.id)
        expect(forSecond.body.data.partner_id).toBe(second.id)
        // The retry for one tenant is still its replay.
        const retry = yield* call("POST", CUSTOMERS, keyed(key, { key: distributorKey, headers: { "x-tenant-id": second.id }, body: { name: "Same" } }))
        expect(retry.headers["idempotent-replayed"]).toBe("true")
        expect(retry.body.data.id).toBe(forSecond.body.data.id)
      }))

    it.effect("two concurrent identical POSTs create one resource; the other answer is 409 or the replay", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const key = newKey()
        const answers = yield* Effect.all(
          Array.from({ length: 4 }, () => request("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "Race" } }))),
          { concurrency: "unbounded" }
        )
        const created = answers.filter((a) => a.status === 201 && a.headers["idempotent-replayed"] === undefined)
        expect(created).toHaveLength(1)
        for (const answer of answers) {
          if (answer === created[0]) continue
          if (answer.status === 409) expectError(answer, 409, "idempotency_in_progress")
          else {
            expect(answer.status).toBe(201)
            expect(answer.headers["idempotent-replayed"]).toBe("true")
            expect(answer.text).toBe(created[0]!.text)
          }
        }
        expect(yield* customerNames(partnerKey)).toEqual(["Race"])
        // Once the first is done, every retry is the replay.
        const retry = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "Race" } }))
        expect(retry.text).toBe(created[0]!.text)
      }))

    it.effect("a path the router reads the same way keeps its key: /API/V1/customers, a doubled slash", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        for (const path of ["/API/V1/customers", "/api/v1//customers", "/Api/v1/customers?source=test"]) {
          const key = newKey()
          const first = yield* call("POST", path, keyed(key, { key: partnerKey, body: { name: `Via ${path}` } }))
          const second = yield* call("POST", path, keyed(key, { key: partnerKey, body: { name: `Via ${path}` } }))
          expect(first.status, path).toBe(201)
          expect(second.headers["idempotent-replayed"], path).toBe("true")
          expect(second.text, path).toBe(first.text)
          const other = yield* call("POST", path, keyed(key, { key: partnerKey, body: { name: "Another" } }))
          expectError(other, 422, "idempotency_key_reused")
        }
        expect((yield* customerNames(partnerKey)).sort()).toEqual(
          ["Via /API/V1/customers", "Via /Api/v1/customers?source=test", "Via /api/v1//customers"]
        )
      }))

    it.effect("a POST without a key is not affected", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const first = yield* call("POST", CUSTOMERS, { key: partnerKey, body: { name: "Twice" } })
        const second = yield* call("POST", CUSTOMERS, { key: partnerKey, body: { name: "Twice" } })
        expect([first.status, second.status]).toEqual([201, 201])
        expect(second.headers["idempotent-replayed"]).toBeUndefined()
        expect(yield* customerNames(partnerKey)).toEqual(["Twice", "Twice"])
      }))

    it.effect("other methods ignore the key", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const created = expectData(yield* call("POST", CUSTOMERS, { key: partnerKey, body: { name: "Put" } }), 201)
        const key = newKey()
        const a = yield* call("PUT", `${CUSTOMERS}/${created.id}`, keyed(key, { key: partnerKey, body: { name: "A" } }))
        const b = yield* call("PUT", `${CUSTOMERS}/${created.id}`, keyed(key, { key: partnerKey, body: { name: "B" } }))
        expect([a.status, b.status]).toEqual([200, 200])
        expect(b.body.data.name).toBe("B")
      }))

    it.effect("a 4xx answer is replayed as it was", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const key = newKey()
        const invalid = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { email: "no-name@example.com" } }))
        expectError(invalid, 422, "validation_error")
        const again = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { email: "no-name@example.com" } }))
        expect(again.status).toBe(422)
        expect(again.text).toBe(invalid.text)
        expect(again.headers["idempotent-replayed"]).toBe("true")

        // A rule of the core (409 duplicate_customer) the same way, even after the cause is gone.
        yield* call("POST", CUSTOMERS, { key: partnerKey, body: { name: "Taken", external_id: "ext-1" } })
        const dupKey = newKey()
        const duplicate = yield* call("POST", CUSTOMERS, keyed(dupKey, { key: partnerKey, body: { name: "D", external_id: "ext-1" } }))
        expectError(duplicate, 409, "duplicate_customer")
        const replayed = yield* call("POST", CUSTOMERS, keyed(dupKey, { key: partnerKey, body: { name: "D", external_id: "ext-1" } }))
        expect(replayed.status).toBe(409)
        expect(replayed.text).toBe(duplicate.text)
      }))

    it.effect("an answer given before the endpoint ran (401) is not kept", () =>
      Effect.gen(function* () {
        const key = newKey()
        const first = yield* call("POST", CUSTOMERS, keyed(key, { key: "pvo_not_a_real_key", body: { name: "x" } }))
        expectError(first, 401, "unauthorized")
        const second = yield* call("POST", CUSTOMERS, keyed(key, { key: "pvo_not_a_real_key", body: { name: "x" } }))
        expect(second.status).toBe(401)
        expect(second.headers["idempotent-replayed"]).toBeUndefined()
      }))

    it.effect("a key older than 24 hours is ignored: the request runs again", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const key = newKey()
        const first = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "Old" } }))
        yield* TestClock.adjust("23 hours")
        const within = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "Old" } }))
        expect(within.text).toBe(first.text)
        yield* TestClock.adjust("1 hours")
        const after = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "Old" } }))
        expect(after.status).toBe(201)
        expect(after.headers["idempotent-replayed"]).toBeUndefined()
        expect(after.body.data.id).not.toBe(first.body.data.id)
        // Another body is fine too now, and the new use replays from here on.
        const replay = yield* call("POST", CUSTOMERS, keyed(key, { key: partnerKey, body: { name: "Old" } }))
        expect(replay.text).toBe(after.text)
        expect(yield* customerNames(partnerKey)).toEqual(["Old", "Old"])
      }))

    it.effect("the handler reads the body the middleware read, whatever its Content-Type says", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const client = yield* HttpClient.HttpClient
        const send = Effect.gen(function* () {
          const response = yield* client.execute(
            HttpClientRequest.post(CUSTOMERS).pipe(
              HttpClientRequest.bearerToken(partnerKey),
              HttpClientRequest.setHeader("x-idempotency-key", "form-labelled"),
              // What `curl -d` sends: a JSON body labelled as a form.
              HttpClientRequest.bodyText("{\"name\":\"Labelled\",\"external_id\":\"lbl-1\"}", "application/x-www-form-urlencoded")
            )
          )
          return { status: response.status, text: yield* response.text, replayed: response.headers["idempotent-replayed"] }
        }).pipe(Effect.scoped)
        const first = yield* send
        expect(first.status, first.text).toBe(201)
        expect(JSON.parse(first.text).data).toMatchObject({ name: "Labelled", external_id: "lbl-1" })
        const second = yield* send
        expect(second).toEqual({ ...first, replayed: "true" })
      }))

    it.effect("a key that is not 1 to 255 printable characters is 422", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const answer = yield* call("POST", CUSTOMERS, keyed("x".repeat(256), { key: partnerKey, body: { name: "Long" } }))
        expectError(answer, 422, "validation_error")
        expect(answer.body.error.field).toBe("X-Idempotency-Key")
        expect(yield* customerNames(partnerKey)).toEqual([])
      }))

    it.effect("the table keeps no secret in the clear: a created API key's secret is not in it", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const created = yield* call("POST", "/api/v1/api-keys", keyed(newKey(), { body: { account_id: partner.id, role: "viewer" } }))
        const secret = expectData(created, 201).secret as string
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ readonly row: string }>`select row_to_json(k)::text as row from idempotency_keys k`
        expect(rows.length).toBeGreaterThan(0)
        for (const { row } of rows) expect(row).not.toContain(secret)
      }))

    it.effect("the store: one claim at a time, taken over after the lease, released by abandon", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const keyOf = (n: string): IdempotentRequest => ({
          scope: "test-scope",
          key: `store-${n}-${newKey()}`,
          method: "POST",
          path: "/api/v1/things",
          fingerprint: "f1"
        })
        const at = (millis: number) => DateTime.unsafeMake(millis)
        const t0 = 1_800_000_000_000

        const k = keyOf("lease")
        expect((yield* store.begin(k, "a", at(t0)))._tag).toBe("Started")
        expect((yield* store.begin(k, "b", at(t0 + 1000)))._tag).toBe("InProgress")
        expect((yield* store.begin({ ...k, fingerprint: "f2" }, "b", at(t0 + 1000)))._tag).toBe("Mismatch")
        // The first holder died: after a minute its claim is taken over, and only once.
        expect((yield* store.begin(k, "b", at(t0 + 61_000)))._tag).toBe("Started")
        expect((yield* store.begin(k, "c", at(t0 + 62_000)))._tag).toBe("InProgress")
        // The dead holder's late answer is not kept: the claim is no longer its.
        yield* store.complete(k, "a", { status: 201, contentType: "application/json", body: new Uint8Array([1]) }, at(t0 + 63_000))
        expect((yield* store.begin(k, "c", at(t0 + 63_000)))._tag).toBe("InProgress")
        yield* store.complete(k, "b", { status: 201, contentType: "application/json", body: new Uint8Array([7, 0, 9]) }, at(t0 + 64_000))
        const replay = yield* store.begin(k, "d", at(t0 + 65_000))
        expect(replay._tag).toBe("Replay")
        if (replay._tag === "Replay") {
          expect(replay.answer.status).toBe(201)
          expect(Array.from(replay.answer.body)).toEqual([7, 0, 9])
        }

        const released = keyOf("abandon")
        expect((yield* store.begin(released, "a", at(t0)))._tag).toBe("Started")
        yield* store.abandon(released, "a")
        expect((yield* store.begin({ ...released, fingerprint: "other" }, "b", at(t0 + 1)))._tag).toBe("Started")
      }))
  })
})

describe("which POSTs are the API's", () => {
  it("every spelling the router takes for /api/v1/..., and nothing else", () => {
    for (const url of ["/api/v1/customers", "/API/V1/customers", "//api/v1/customers", "/api//v1/customers",
      "/%61pi/v1/customers", "http://localhost:8080/api/v1/customers", "/api/v1/customers?x=1"]) {
      expect(isApiPath(url), url).toBe(true)
    }
    for (const url of ["/healthz", "/api/v2/customers", "/api/v1", "/apiv1/customers", "/console/api/v1/x", "/%E0%A4%A/api/v1/"]) {
      expect(isApiPath(url), url).toBe(false)
    }
  })
})

describe("which answers are kept", () => {
  it("keeps what the endpoint decided, not failures on our side or answers given before it ran", () => {
    expect([200, 201, 202, 204, 400, 403, 404, 409, 422].every(isKeptAnswer)).toBe(true)
    expect([401, 429, 500, 502, 503].some(isKeptAnswer)).toBe(false)
  })
})

describe("a client that goes away mid-request", () => {
  // A slow endpoint behind the middleware alone, on a store over a fresh database, in real time.
  let runs = 0
  const slow = HttpRouter.empty.pipe(
    HttpRouter.post(
      "/api/v1/slow",
      Effect.gen(function* () {
        yield* Effect.sleep("300 millis")
        runs++
        return HttpServerResponse.unsafeJson({ run: runs }, { status: 201 })
      })
    )
  )
  const SlowServer = HttpServer.serve(slow, idempotency).pipe(
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provide(IdempotencyStoreLive),
    Layer.provide(TestDatabase)
  )

  // Live: the server's handler sleeps in real time while the client goes away.
  it.live("finds the answer when it retries: the request ran to its end and was kept", () =>
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const post = client.execute(
        HttpClientRequest.post("/api/v1/slow").pipe(
          HttpClientRequest.setHeader("x-idempotency-key", "went-away"),
          HttpClientRequest.bodyUnsafeJson({})
        )
      ).pipe(Effect.flatMap((response) => Effect.map(response.text, (text) => ({ response, text }))), Effect.scoped)
      // The client gives up (and closes its connection) long before the answer.
      const address = (yield* HttpServer.HttpServer).address
      const port = address._tag === "TcpAddress" ? address.port : 0
      yield* Effect.promise(() =>
        new Promise<void>((resolve) => {
          const sent = http.request({
            host: "127.0.0.1",
            port,
            method: "POST",
            path: "/api/v1/slow",
            headers: { "content-type": "application/json", "x-idempotency-key": "went-away" }
          })
          sent.on("error", () => resolve())
          sent.on("response", () => resolve())
          sent.end("{}")
          setTimeout(() => {
            sent.destroy()
            resolve()
          }, 50)
        })
      )
      expect(runs).toBe(0)
      // The handler ends on its own, however busy the machine (a fixed wait was not enough in CI).
      const deadline = Date.now() + 20_000
      while (runs === 0 && Date.now() < deadline) yield* Effect.sleep("20 millis")
      expect(runs).toBe(1)
      const retry = yield* post
      expect(retry.response.status).toBe(201)
      expect(retry.response.headers["idempotent-replayed"]).toBe("true")
      expect(JSON.parse(retry.text)).toEqual({ run: 1 })
      expect(runs).toBe(1)
    }).pipe(Effect.provide(SlowServer)), 30_000)
})

describe("a store that fails", () => {
  let runs = 0
  const app = HttpRouter.empty.pipe(
    HttpRouter.post("/api/v1/thing", Effect.sync(() => HttpServerResponse.unsafeJson({ run: ++runs }, { status: 201 })))
  )
  const Failing = Layer.succeed(IdempotencyStore, {
    begin: () => Effect.fail(new PersistenceError({ message: "the database could not complete the request" })),
    complete: () => Effect.void,
    abandon: () => Effect.void,
    // The claim's statement fails as `begin`'s does: nothing runs.
    claimAlong: () => Effect.succeed({ claim: "refused" as const, exit: Exit.die(new PersistenceError({ message: "the database could not complete the request" })) })
  })
  const Server = HttpServer.serve(app, idempotency).pipe(Layer.provideMerge(NodeHttpServer.layerTest), Layer.provide(Failing))

  it.effect("answers 500 in the envelope and does not run the request unguarded", () =>
    Effect.gen(function* () {
      const answer = yield* request("POST", "/api/v1/thing", keyed("k", { key: null, body: {} }))
      expect(answer.status).toBe(500)
      expect(answer.body).toMatchObject({ success: false, error: { code: "internal", message: "an internal error occurred" } })
      expect(runs).toBe(0)
      // Without a key the store is not asked.
      expect((yield* request("POST", "/api/v1/thing", { key: null, body: {} })).status).toBe(201)
    }).pipe(Effect.provide(Server)))
})
