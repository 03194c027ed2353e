import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import type { SqlClient } from "@effect/sql"
import { ServicesLive } from "@provisio/adapters/services"
import { TestDatabase } from "@provisio/adapters/testing/database"
import { Identity } from "@provisio/core/identity/service"
import { HttpAppLive } from "@provisio/http/server"
import { Effect, Layer, Option } from "effect"

/** The platform admin key every test server starts with (as `PROVISIO_BOOTSTRAP_KEY` would set it). */
export const ADMIN_KEY = "pvo_test_platform_admin_key_0123456789abcdef"

const Bootstrapped = Layer.effectDiscard(
  Effect.flatMap(Identity, (identity) => identity.bootstrap(Option.some(ADMIN_KEY)))
)

/**
 * The whole server over the given (migrated) database, listening on a random loopback port, with
 * an `HttpClient` aimed at it: requests go through real sockets, encoding and middleware.
 */
export const serverOver = <E, R>(database: Layer.Layer<SqlClient.SqlClient, E, R>) =>
  Bootstrapped.pipe(
    Layer.provideMerge(HttpAppLive.pipe(Layer.provideMerge(NodeHttpServer.layerTest))),
    Layer.provideMerge(ServicesLive),
    Layer.provideMerge(database)
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
  /** A body sent as is, for malformed JSON. */
  readonly raw?: string
  readonly headers?: Record<string, string>
}

/** One request to the test server, answered as status, headers and parsed JSON. */
export const call = (method: "GET" | "POST" | "PUT" | "DELETE", path: string, options: CallOptions = {}) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    let request = HttpClientRequest.make(method)(path).pipe(HttpClientRequest.setHeaders(options.headers ?? {}))
    const key = options.key === undefined ? ADMIN_KEY : options.key
    if (key !== null) request = HttpClientRequest.bearerToken(request, key)
    if (options.raw !== undefined) request = HttpClientRequest.bodyText(request, options.raw, "application/json")
    else if (options.body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, options.body)
    const response = yield* client.execute(request)
    const text = yield* response.text
    const isJson = (response.headers["content-type"] ?? "").includes("json")
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: isJson && text ? JSON.parse(text) : undefined
    } satisfies Answer
  }).pipe(Effect.scoped, Effect.orDie)

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
