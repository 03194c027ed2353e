import { Customers } from "@provisio/core/customers/service"
import type { Principal } from "@provisio/core/identity/model"
import { canonicalJson } from "@provisio/core/shared/canonical-json"
import { IdempotencyStore, isKeptAnswer } from "@provisio/core/shared/idempotency"
import { now } from "@provisio/core/shared/time"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import * as crypto from "node:crypto"
import { IncomingMessage, type ServerResponse } from "node:http"
import { type DirectAnswer, declaredEndpoint, errorAnswers, successAnswer, writeAnswer } from "./direct-answers.js"
import type { DirectReads, HandOver } from "./direct-reads.js"
import { CurrentRequestId } from "./envelope.js"
import { Defect, DefectError } from "./errors.js"
import { principalOfBearer } from "./middleware/authentication.js"
import { material, seal, sentIdempotencyKey, VALID_KEY } from "./middleware/idempotency.js"
import { type BodyPolicy, parseJsonBody, policyOf } from "./middleware/input-boundary.js"
import { rateLimitEnforcement } from "./middleware/rate-limit.js"
import { requestIdOf } from "./middleware/request-log.js"

/**
 * The hottest write, `POST /api/v1/customers`, answered from Node's `request` event as the direct
 * reads are (direct-reads.ts): the app's pipeline, its idempotency guard's fork and pre-response
 * handler cost a POST more than its three statements did (docs/performance.md, "Seventh step").
 * Nothing here is a second implementation. The body is checked by the input boundary's
 * `parseJsonBody` and decoded with the endpoint's payload schema; the caller authenticates
 * through `principalOfBearer` and takes its token through `rateLimitEnforcement`; the key is
 * claimed, and the answer sealed and kept before it is written, through the idempotency guard's
 * `material` and `seal` and the same `IdempotencyStore`; the use case is the handler's; the
 * answers are encoded with the endpoint's schemas.
 *
 * Whatever is off the happy path goes to the app with the body it sent, before anything is
 * written or kept: a body without a `Content-Length` or over the route's limit, a body the
 * boundary or the payload schema refuses, a failed authentication, a key that is malformed, in
 * progress, reused or to be replayed (the app answers from what is kept), a refused token (the
 * claim is released first). Once the use case has run the request is answered here, a failure
 * with the error's wire schema (kept with the key as the app keeps it), a defect as `500`.
 */
type Services =
  | Customers
  | IdempotencyStore
  | Effect.Effect.Context<typeof principalOfBearer>
  | Effect.Effect.Context<typeof rateLimitEnforcement>

interface Write {
  readonly path: string
  readonly policy: BodyPolicy
  readonly decodePayload: (body: unknown) => Either.Either<unknown, unknown>
  readonly run: (principal: Principal, payload: unknown) => Effect.Effect<unknown, unknown, Services>
  readonly answer: (exit: Exit.Exit<unknown, unknown>) => Effect.Effect<DirectAnswer>
}

/**
 * A `POST` served directly: its endpoint's payload, success and error schemas from `ProvisioApi`,
 * and the use case its handler runs. Its answer never fails: an error the endpoint does not
 * declare, or a defect, is logged and answered `500` as `ErrorMappingLive` answers it.
 */
const write = <P, A>(
  group: string,
  endpoint: string,
  useCase: (principal: Principal, payload: P) => Effect.Effect<A, unknown, Services>
): Write => {
  const declared = declaredEndpoint(group, endpoint)
  const payloadSchema = Option.getOrUndefined(declared.payloadSchema)
  if (payloadSchema === undefined) throw new Error(`no payload on ${group}.${endpoint}`)
  const success = successAnswer<A>(declared)
  const failure = errorAnswers(group, declared)
  const defect = (cause: Cause.Cause<unknown>) =>
    Effect.logError("defect", Cause.pretty(cause)).pipe(
      Effect.zipRight(Schema.encode(DefectError)(new Defect({ message: "an internal error occurred" }))),
      Effect.map((body): DirectAnswer => ({ status: 500, body })),
      Effect.orDie
    )
  return {
    path: declared.path,
    policy: policyOf("POST", declared.path),
    decodePayload: Schema.decodeUnknownEither(payloadSchema as Schema.Schema<P, unknown>),
    run: (principal, payload) => useCase(principal, payload as P),
    answer: (exit) =>
      (exit as Exit.Exit<A, unknown>).pipe(
        Effect.flatMap(success),
        Effect.catchAll((error) =>
          Effect.flatMap(failure(error), (known) => known === undefined ? Effect.die(error) : Effect.succeed(known))),
        Effect.catchAllCause(defect)
      )
  }
}

/** The request again, with the body already read from it, for the app to read as if it were the first. */
const replayed = (request: IncomingMessage, body: Buffer): IncomingMessage => {
  const copy = new IncomingMessage(request.socket)
  copy.method = request.method
  copy.url = request.url
  copy.headers = request.headers
  copy.rawHeaders = request.rawHeaders
  copy.httpVersion = request.httpVersion
  copy.httpVersionMajor = request.httpVersionMajor
  copy.httpVersionMinor = request.httpVersionMinor
  copy.complete = true
  copy.push(body)
  copy.push(null)
  return copy
}

/** A request the direct write leaves to the app (nothing written, nothing kept). */
class LeftToApp extends Schema.TaggedError<LeftToApp>()("LeftToApp", {}) {}

/**
 * The direct writes, bound to the server's runtime: `POST /api/v1/customers`. The function it
 * makes says whether it took the request; one it took but leaves to the app reaches it through
 * `handOver`, with the body it sent.
 */
export const makeDirectWrites: Effect.Effect<(handOver: HandOver) => DirectReads, ConfigError.ConfigError, Services> =
  Effect.gen(function* () {
    const principalOf = yield* principalOfBearer
    const enforce = yield* rateLimitEnforcement
    const store = yield* IdempotencyStore
    const customers = yield* Customers
    const runtime = yield* Effect.runtime<Services>()
    const writes: ReadonlyArray<Write> = [write("customers", "createCustomer", customers.createCustomer)]

    const respond = (response: ServerResponse, requestId: string, started: number, path: string, status: number, text: string) =>
      writeAnswer(response, { requestId, method: "POST", path, started }, status, text)

    const serve = (request: IncomingMessage, response: ServerResponse, target: Write, secret: string, key: string | undefined, bytes: Buffer, requestId: string) =>
      Effect.gen(function* () {
        const started = yield* Clock.currentTimeMillis
        const parsed = parseJsonBody(bytes.toString("utf8"), target.policy)
        if (Either.isLeft(parsed)) return yield* new LeftToApp()
        const payload = target.decodePayload(parsed.right)
        if (Either.isLeft(payload)) return yield* new LeftToApp()
        const tenant = request.headers["x-tenant-id"] as string | undefined
        const principal = yield* principalOf(secret, tenant)

        const taken = yield* Effect.either(enforce(principal, Redacted.make(secret)))
        if (Either.isLeft(taken)) return yield* new LeftToApp()

        const run = target.run(principal, payload.right)
        if (key === undefined) {
          const answered = yield* Effect.flatMap(Effect.exit(run), target.answer)
          return yield* respond(response, requestId, started, target.path, answered.status, JSON.stringify(answered.body))
        }
        // The key claimed with the use case's write, in its statement; where that cannot be, as
        // the idempotency guard claims it. Anything but a new claim is the app's to answer.
        const { cipherKey, request: keyed } = material(key, request.headers.authorization, tenant, "POST", target.path, canonicalJson(parsed.right))
        const claim = crypto.randomUUID()
        const along = yield* Effect.exit(store.claimAlong(keyed, claim, yield* now, run))
        // A use case that wrote without carrying the claim (a defect): answered 500, never run again by the app.
        if (Exit.isFailure(along)) {
          const failed = yield* target.answer(along)
          return yield* respond(response, requestId, started, target.path, failed.status, JSON.stringify(failed.body))
        }
        if (along.value.claim === "refused") return yield* new LeftToApp()
        if (along.value.claim === "not_tried") {
          const begun = yield* store.begin(keyed, claim, yield* now)
          if (begun._tag !== "Started") return yield* new LeftToApp()
        }
        const answered = yield* target.answer(along.value.exit)
        const text = JSON.stringify(answered.body)
        // Kept before it is written, as the guard's pre-response handler keeps it.
        const kept = isKeptAnswer(answered.status)
          ? store.complete(keyed, claim, seal(cipherKey, { status: answered.status, contentType: "application/json", body: Buffer.from(text) }), yield* now)
          : store.abandon(keyed, claim)
        yield* Effect.catchAllCause(kept, (cause) => Effect.logError("idempotency: cannot keep the answer", cause))
        return yield* respond(response, requestId, started, target.path, answered.status, text)
      }).pipe(Effect.locally(CurrentRequestId, requestId))

    const runFork = Runtime.runFork(runtime)
    return (handOver: HandOver): DirectReads => (request, response) => {
      if (request.method !== "POST") return false
      const target = writes.find((candidate) => candidate.path === request.url)
      if (target === undefined) return false
      const authorization = request.headers.authorization
      if (authorization === undefined || !authorization.startsWith("Bearer ") || authorization.length === 7) return false
      const length = Number(request.headers["content-length"])
      if (!(length > 0 && length <= target.policy.maxBytes)) return false
      const key = sentIdempotencyKey(request.headers as Record<string, string | undefined>)
      if (key !== undefined && !VALID_KEY.test(key)) return false

      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.once("error", () => response.destroy())
      request.once("end", () => {
        const bytes = Buffer.concat(chunks)
        const fiber = runFork(serve(request, response, target, authorization.slice(7), key, bytes, requestIdOf(request.headers)))
        fiber.addObserver((exit) => {
          if (Exit.isSuccess(exit)) return
          // Nothing was written or kept: the app answers it, as if it had come straight to it.
          if (!response.headersSent) handOver(replayed(request, bytes), response)
        })
      })
      return true
    }
  })
