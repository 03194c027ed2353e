import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { Customers } from "@provisio/core/customers/service"
import type { Principal } from "@provisio/core/identity/model"
import { Forbidden, NotFound } from "@provisio/core/shared/errors"
import { Subscriptions } from "@provisio/core/subscriptions/service"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import type { IncomingMessage, ServerResponse } from "node:http"
import { ProvisioApi } from "./api.js"
import { CurrentRequestId } from "./envelope.js"
import { ForbiddenError, NotFoundError } from "./errors.js"
import { principalOfBearer } from "./middleware/authentication.js"
import { rateLimitEnforcement } from "./middleware/rate-limit.js"
import { logEntry, requestIdOf } from "./middleware/request-log.js"

/**
 * The hottest reads answered from Node's `request` event, outside `HttpApiBuilder`'s per-request
 * pipeline, whose fixed cost was half of an authenticated GET (docs/performance.md, "Fifth step").
 * Nothing here is a second implementation: a read authenticates through `principalOfBearer`, takes
 * its token through `rateLimitEnforcement`, runs the handler's use case, and encodes the answer
 * with its endpoint's own success schema (the envelope, the request id), then writes the same log
 * line. What it does not answer itself, it hands to the app untouched, before writing anything:
 * a request with a query string or an odd path or header, a failed authentication (401, 403
 * suspended: the same cache and bounds as the app), a refused token (429, with `Retry-After`),
 * a defect. The use case's own `404` and `403` it answers with the API's wire schemas, since its
 * token is already taken.
 */
export type DirectReads = (request: IncomingMessage, response: ServerResponse) => boolean

type Services = Subscriptions | Customers | Effect.Effect.Context<typeof principalOfBearer> | Effect.Effect.Context<typeof rateLimitEnforcement>

/** The errors a read answers itself, each with the schema (status, code, envelope) the API declares for it. */
const ANSWERED_ERRORS = [
  { is: Schema.is(NotFound), schema: NotFoundError },
  { is: Schema.is(Forbidden), schema: ForbiddenError }
] as const

interface Read {
  /** The path up to the id, `/api/v1/subscriptions/`. */
  readonly prefix: string
  /** The id as the endpoint's path schema decodes it; `undefined` for one it refuses (the app answers). */
  readonly decodeId: (raw: string) => string | undefined
  readonly answer: (
    principal: Principal,
    id: string
  ) => Effect.Effect<{ readonly status: number; readonly body: unknown }, unknown, Services>
}

/** Matches ids the path schemas can accept; anything else (percent-escapes, dots) goes to the app. */
const PLAIN_ID = /^[A-Za-z0-9_-]{1,128}$/

/**
 * A `GET /api/v1/<group path>/{param}` served directly: its endpoint's path and success schemas
 * from `ProvisioApi`, and the use case its handler runs.
 */
const read = <A>(
  group: string,
  endpoint: string,
  param: string,
  useCase: (principal: Principal, id: string) => Effect.Effect<A, unknown, Services>
): Read => {
  const declared = ProvisioApi.groups[group]?.endpoints[endpoint] as HttpApiEndpoint.HttpApiEndpoint.AnyWithProps | undefined
  const pathSchema = declared === undefined ? undefined : Option.getOrUndefined(declared.pathSchema)
  if (declared === undefined || pathSchema === undefined) throw new Error(`no endpoint ${group}.${endpoint} with a path`)
  const decodePath = Schema.decodeUnknownEither(pathSchema as Schema.Schema<Record<string, string>, unknown>)
  const encode = Schema.encode(declared.successSchema as Schema.Schema<A, unknown>)
  const prefix = declared.path.slice(0, declared.path.indexOf(":"))
  return {
    prefix,
    decodeId: (raw) => {
      const path = decodePath({ [param]: raw })
      return Either.isLeft(path) ? undefined : path.right[param]
    },
    answer: (principal, id) =>
      useCase(principal, id).pipe(
        Effect.flatMap((value) => encode(value)),
        Effect.map((body) => ({ status: 200, body })),
        Effect.catchAll((error) => {
          const known = ANSWERED_ERRORS.find((candidate) => candidate.is(error))
          if (known === undefined) return Effect.fail(error)
          return Effect.map(
            Schema.encode(known.schema as Schema.Schema<unknown, unknown>)(error),
            (body) => ({ status: HttpApiSchema.getStatusError(known.schema), body })
          )
        })
      )
  }
}

/** Gives a request to the app, as if it had come straight to it (the server's own `request` event). */
export type HandOver = (request: IncomingMessage, response: ServerResponse) => void

/**
 * The direct reads, bound to the server's runtime: `GET /api/v1/subscriptions/{id}` and
 * `GET /api/v1/customers/{id}`. The function it makes says whether it took the request; one it
 * took but does not answer itself reaches the app through `handOver`.
 */
export const makeDirectReads: Effect.Effect<(handOver: HandOver) => DirectReads, ConfigError.ConfigError, Services> =
  Effect.gen(function* () {
    const principalOf = yield* principalOfBearer
    const enforce = yield* rateLimitEnforcement
    const subscriptions = yield* Subscriptions
    const customers = yield* Customers
    const runtime = yield* Effect.runtime<Services>()
    const reads: ReadonlyArray<Read> = [
      read("subscriptions", "getSubscription", "subscriptionId", subscriptions.getSubscription),
      read("customers", "getCustomer", "customerId", customers.getCustomer)
    ]

    const serve = (request: IncomingMessage, response: ServerResponse, url: string, target: Read, id: string, secret: string) =>
      Effect.gen(function* () {
        const started = yield* Clock.currentTimeMillis
        const principal = yield* principalOf(secret, request.headers["x-tenant-id"] as string | undefined)
        yield* enforce(principal, Redacted.make(secret))
        const requestId = requestIdOf(request.headers)
        const answered = yield* Effect.locally(target.answer(principal, id), CurrentRequestId, requestId)
        const text = JSON.stringify(answered.body)
        response.writeHead(answered.status, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(text),
          "x-request-id": requestId
        })
        response.end(text)
        const ended = yield* Clock.currentTimeMillis
        yield* logEntry({ request_id: requestId, method: "GET", path: url, status: answered.status, duration_ms: ended - started })
      })

    const runFork = Runtime.runFork(runtime)
    return (handOver: HandOver): DirectReads => (request, response) => {
      if (request.method !== "GET") return false
      const url = request.url
      if (url === undefined || !url.startsWith("/api/v1/")) return false
      const target = reads.find((candidate) => url.startsWith(candidate.prefix))
      if (target === undefined) return false
      const raw = url.slice(target.prefix.length)
      const id = PLAIN_ID.test(raw) ? target.decodeId(raw) : undefined
      if (id === undefined) return false
      const authorization = request.headers.authorization
      if (authorization === undefined || !authorization.startsWith("Bearer ") || authorization.length === 7) return false
      const fiber = runFork(serve(request, response, url, target, id, authorization.slice(7)))
      fiber.addObserver((exit) => {
        if (Exit.isSuccess(exit)) return
        // Nothing was written: the app answers it, as if it had come straight to it.
        if (!response.headersSent) handOver(request, response)
      })
      return true
    }
  })
