import { expect } from "@effect/vitest"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import { ServicesLive } from "@provisio/adapters/services"
import { TestDatabase } from "@provisio/adapters/testing/database"
import { Identity } from "@provisio/core/identity/service"
import { CoreConfigLive } from "@provisio/http/config"
import type { DirectReads, HandOver } from "@provisio/http/direct-reads"
import { serveApi, serveApiWith } from "@provisio/http/server"
import { nonConformance } from "./conformance"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"


/** The platform admin key every test server starts with (as `PROVISIO_BOOTSTRAP_KEY` would set it). */
export const ADMIN_KEY = "pvo_test_platform_admin_key_0123456789abcdef"

const Bootstrapped = Layer.effectDiscard(
  Effect.flatMap(Identity, (identity) => identity.bootstrap(Option.some(ADMIN_KEY)))
)

/** An `HttpClient` aimed at the `HttpServer` (as `NodeHttpServer.layerTest` makes it). */
export const TestClientLive = HttpServer.layerTestClient.pipe(
  Layer.provide(NodeHttpClient.layerWithoutAgent),
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: false }))
)

/**
 * The whole server over the given (migrated) database, listening on a random loopback port, with
 * an `HttpClient` aimed at it: requests go through real sockets, encoding and middleware, and the
 * direct reads as `provisio serve` has them.
 */
export const serverOver = <E, R>(
  database: Layer.Layer<SqlClient.SqlClient, E, R>,
  served: ReturnType<typeof serveApi> = serveApi({ port: 0 })
) =>
  Bootstrapped.pipe(
    Layer.provideMerge(TestClientLive.pipe(Layer.provideMerge(served))),
    Layer.provideMerge(ServicesLive.pipe(Layer.provide(CoreConfigLive))),
    Layer.provideMerge(database)
  )

/**
 * `serveApiWith` the direct routes `make` makes, each request they take recorded in `taken`: a
 * test of a direct route says so, and cannot pass with the route silently off.
 */
export const spiedDirectRoutes = <E, R>(make: Effect.Effect<(handOver: HandOver) => DirectReads, E, R>, taken: Array<string>) =>
  serveApiWith(
    { port: 0 },
    Effect.map(make, (routes) => (handOver: HandOver): DirectReads => {
      const direct = routes(handOver)
      return (request, response) => {
        const took = direct(request, response)
        if (took) taken.push(request.url ?? "")
        return took
      }
    })
  )

/** `serverOver` a fresh migrated database (`TestDatabase`). */
export const TestServer = serverOver(TestDatabase)

export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  // Tests read into the JSON freely; the assertions say what must be there.
  readonly body: any
}

export interface CallOptions {
  /** The bearer token; `ADMIN_KEY` unless given, none with `null`. */
  readonly key?: string | null
  readonly body?: unknown
  /** A body sent as is, for malformed JSON (or a document: see `contentType`). */
  readonly raw?: string
  /** The Content-Type of a `raw` body; `application/json` unless given. */
  readonly contentType?: string
  readonly headers?: Record<string, string>
}

/** One request to the test server, answered as status, headers and parsed JSON. */
export const call = (method: "GET" | "POST" | "PUT" | "DELETE", path: string, options: CallOptions = {}) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    let request = HttpClientRequest.make(method)(path).pipe(HttpClientRequest.setHeaders(options.headers ?? {}))
    const key = options.key === undefined ? ADMIN_KEY : options.key
    if (key !== null) request = HttpClientRequest.bearerToken(request, key)
    if (options.raw !== undefined) request = HttpClientRequest.bodyText(request, options.raw, options.contentType ?? "application/json")
    else if (options.body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, options.body)
    const response = yield* client.execute(request)
    const text = yield* response.text
    // JSON and `+json` types; not NDJSON (an export: many documents, one a line).
    const isJson = /\bjson\b/.test(response.headers["content-type"] ?? "")
    const answer = {
      status: response.status,
      headers: response.headers,
      text,
      body: isJson && text ? JSON.parse(text) : undefined
    } satisfies Answer
    // Every answer is held to the served document: a difference fails the test that received it.
    const differs = nonConformance({ method, path, status: answer.status, contentType: response.headers["content-type"], body: answer.body })
    if (differs !== undefined) expect.fail(`${differs}\n  the answer: ${text.slice(0, 2_000)}`)
    return answer
  }).pipe(Effect.scoped, Effect.orDie)

/**
 * A refusal in the envelope: the status, the error's code, and its field when given (exactly, or
 * matching a pattern); the request id of the body is the header's.
 */
export const expectError = (answer: Answer, status: number, code: string, field?: string | RegExp) => {
  expect(answer.status, answer.text).toBe(status)
  expect(answer.body?.success, answer.text).toBe(false)
  expect(answer.body.error.code, answer.text).toBe(code)
  expect(answer.body.meta.request_id, answer.text).toBe(answer.headers["x-request-id"])
  if (typeof field === "string") expect(answer.body.error.field, answer.text).toBe(field)
  else if (field !== undefined) expect(answer.body.error.field, answer.text).toMatch(field)
}

/**
 * `call`, then the clock a millisecond on, as for a real client: ids follow the clock, so the
 * resources a test makes one after the other sort in that order.
 */
export const callAndTick = (method: "GET" | "POST" | "PUT" | "DELETE", path: string, options?: CallOptions) =>
  Effect.zipLeft(call(method, path, options), TestClock.adjust("1 millis"))

/** The `data` of a successful answer; fails the test with the whole answer otherwise. */
export const expectData = (answer: Answer, status = 200) => {
  if (answer.status !== status || answer.body?.success !== true) {
    throw new Error(`expected ${status} with success, got ${answer.status}: ${answer.text}`)
  }
  return answer.body.data
}

export const createDistributor = (name = "Distributor") =>
  Effect.map(call("POST", "/api/v1/distributors", { body: { name } }), (a) => expectData(a, 201))

export const createPartner = (distributor_id: string, edition: "free" | "standard" = "standard", name = "Partner") =>
  Effect.map(call("POST", "/api/v1/partners", { body: { name, distributor_id, edition } }), (a) => expectData(a, 201))

/** A new API key's secret, created by the platform admin. */
export const createKey = (account_id: string, role: "admin" | "manager" | "viewer" = "admin") =>
  Effect.map(
    call("POST", "/api/v1/api-keys", { body: { account_id, role } }),
    (a) => expectData(a, 201).secret as string
  )

/** A distributor, a partner under it and admin keys for both. */
export const channel = (edition: "free" | "standard" = "standard") =>
  Effect.gen(function* () {
    const distributor = yield* createDistributor()
    const partner = yield* createPartner(distributor.id, edition)
    return {
      distributor,
      partner,
      distributorKey: yield* createKey(distributor.id),
      partnerKey: yield* createKey(partner.id)
    }
  })

// ---- users and sign-in ------------------------------------------------------------------------

/** The password of users made by `createUser` unless told otherwise. */
export const TEST_PASSWORD = "correct horse battery staple"

let emails = 0
/** An email no other test of the run has used (users' emails are unique across the database). */
export const uniqueEmail = (name = "user") =>
  `${name}.${process.pid}.${++emails}.${Math.random().toString(36).slice(2, 8)}@example.com`

/** A user made by the platform admin, with `TEST_PASSWORD` unless told (`null`: no password). */
export const createUser = (
  account_id: string,
  role: "admin" | "manager" | "viewer" = "admin",
  options: { readonly email?: string; readonly name?: string; readonly password?: string | null; readonly key?: string } = {}
) =>
  Effect.map(
    call("POST", "/api/v1/users", {
      key: options.key,
      body: {
        account_id,
        role,
        email: options.email ?? uniqueEmail(role),
        name: options.name ?? `A ${role}`,
        ...(options.password === null ? {} : { password: options.password ?? TEST_PASSWORD })
      }
    }),
    (a) => expectData(a, 201)
  )

/** `POST /auth/login`, answered as is. */
export const login = (email: string, password: string = TEST_PASSWORD) =>
  call("POST", "/api/v1/auth/login", { key: null, body: { email, password } })

/** The token pair of a sign-in that must succeed. */
export const signIn = (email: string, password: string = TEST_PASSWORD) =>
  Effect.map(login(email, password), (a) => expectData(a) as {
    readonly access_token: string
    readonly refresh_token: string
    readonly token_type: "Bearer"
    readonly expires_at: string
  })

/** `POST /auth/refresh`, answered as is. */
export const refresh = (refresh_token: string) =>
  call("POST", "/api/v1/auth/refresh", { key: null, body: { refresh_token } })

// ---- configuration and several servers -----------------------------------------------------------

/**
 * `layer` built with the given settings over the environment's, e.g. a test server with
 * `{ PROVISIO_RATE_LIMIT_VIEWER: "3/minute" }`. Settings read while the layer is built take them.
 */
export const withSettings = (settings: Record<string, string>) =>
<A, E, R>(layer: Layer.Layer<A, E, R>): Layer.Layer<A, E, R> =>
  layer.pipe(Layer.provide(Layer.setConfigProvider(
    ConfigProvider.fromMap(new Map(Object.entries(settings))).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
  )))

/**
 * A database built once, for several servers over it (as several processes share one database):
 * build each with `Layer.build(serverOver(shared))`, which makes a new server every time.
 */
export const sharedDatabase = Effect.map(Layer.build(TestDatabase), (context) => Layer.succeedContext(context))
