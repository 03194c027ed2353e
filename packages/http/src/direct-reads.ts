import { Customers } from "@provisio/core/customers/service"
import type { Principal } from "@provisio/core/identity/model"
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
import { type DirectAnswer, declaredEndpoint, errorAnswers, successAnswer, writeAnswer } from "./direct-answers.js"
import { CurrentRequestId } from "./envelope.js"
import { principalOfBearer } from "./middleware/authentication.js"
import { rateLimitEnforcement } from "./middleware/rate-limit.js"
import { requestIdOf } from "./middleware/request-log.js"

/**
 * The hottest reads answered from Node's `request` event, outside `HttpApiBuilder`'s per-request
 * pipeline, whose fixed cost was half of an authenticated GET (docs/performance.md, "Fifth step").
 * Nothing here is a second implementation: a read authenticates through `principalOfBearer`, takes
 * its token through `rateLimitEnforcement`, runs the handler's use case, and encodes the answer
 * with its endpoint's own success schema (the envelope, the request id), then writes the same log
 * line. What it does not answer itself, it hands to the app untouched, before writing anything:
 * a request with a query string or an odd path or header, a failed authentication (401, 403
 * suspended: the same cache and bounds as the app), a refused token (429, with `Retry-After`),
 * a defect. The errors the endpoint declares (the use case's `404`, `403`) it answers with the
 * API's wire schemas, since its token is already taken.
 */
export type DirectReads = (request: IncomingMessage, response: ServerResponse) => boolean

type Services = Subscriptions | Customers | Effect.Effect.Context<typeof principalOfBearer> | Effect.Effect.Context<typeof rateLimitEnforcement>

interface Read {
  /** The path up to the id, `/api/v1/subscriptions/`. */
  readonly prefix: string
  /** The id as the endpoint's path schema decodes it; `undefined` for one it refuses (the app answers). */
  readonly decodeId: (raw: string) => string | undefined
  readonly answer: (
    principal: Principal,
    id: string
  ) => Effect.Effect<DirectAnswer, unknown, Services>
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
  const declared = declaredEndpoint(group, endpoint)
  const pathSchema = Option.getOrUndefined(declared.pathSchema)
  if (pathSchema === undefined) throw new Error(`no path on ${group}.${endpoint}`)
  const decodePath = Schema.decodeUnknownEither(pathSchema as Schema.Schema<Record<string, string>, unknown>)
  const success = successAnswer<A>(declared)
  const failure = errorAnswers(group, declared)
  const prefix = declared.path.slice(0, declared.path.indexOf(":"))
  return {
    prefix,
    decodeId: (raw) => {
      const path = decodePath({ [param]: raw })
      return Either.isLeft(path) ? undefined : path.right[param]
    },
    answer: (principal, id) =>
      useCase(principal, id).pipe(
        Effect.flatMap(success),
        // An error the endpoint declares is answered as the app answers it; any other goes to the app.
        Effect.catchAll((error) => Effect.flatMap(failure(error), (known) => known === undefined ? Effect.fail(error) : Effect.succeed(known)))
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
        yield* writeAnswer(response, { requestId, method: "GET", path: url, started }, answered.status, JSON.stringify(answered.body))
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
