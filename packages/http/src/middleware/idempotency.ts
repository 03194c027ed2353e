import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import {
  IdempotencyInProgress,
  IdempotencyKeyReused,
  PersistenceError,
  ValidationError
} from "@provisio/core/shared/errors"
import {
  IdempotencyStore,
  type IdempotentRequest,
  isKeptAnswer,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  type StoredAnswer
} from "@provisio/core/shared/idempotency"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as crypto from "node:crypto"
import { IdempotencyInProgressError, IdempotencyKeyReusedError, InternalError, ValidationErrorError } from "../errors.js"
import { answer, refuse } from "./answers.js"
import { now } from "@provisio/core/shared/time"
import { canonicalJson } from "@provisio/core/shared/canonical-json"

/** The header of the contract, and the one the IETF draft (and Stripe) name. */
const KEY_HEADERS = ["x-idempotency-key", "idempotency-key"] as const

/** The key a request sent, in either header; `undefined` when it sent none. */
export const sentIdempotencyKey = (headers: Readonly<Record<string, string | undefined>>): string | undefined =>
  KEY_HEADERS.map((name) => headers[name]).find((value) => value !== undefined)

/** Printable ASCII, so a key survives every proxy and log unchanged. */
export const VALID_KEY = new RegExp(`^[\\x20-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`)

export const REPLAYED_HEADER = "idempotent-replayed"

const sha256 = (data: string | Uint8Array) => crypto.createHash("sha256").update(data).digest("hex")

/**
 * What the table holds is useless without the request that wrote it:
 * - `scope`, the caller: a digest of the `Authorization` header, which is the credential itself
 *   (an API key or an access token), so it needs no authentication first and works the same for
 *   every POST, and of `X-Tenant-ID` when one is sent: a caller acting for two tenants has a key
 *   space for each, as a Stripe platform has one per connected account. Requests without one (`/auth/login`, whose credential is in the body) share the
 *   scope `anonymous`: two of them collide only if they send the same key.
 * - `key`, a digest of the key the caller sent;
 * - `fingerprint`, an HMAC of the body under the caller's key, so a password in a login body
 *   cannot be guessed back from it. A JSON body counts in its canonical form (`compared`), so a
 *   retry whose JSON differs only in spacing or key order is the same request, as at Stripe;
 * - the answer, encrypted (AES-256-GCM) with a key derived from the caller's key, credential and
 *   body (the same form): answers carry secrets (a new API key, tokens) that must not sit in the clear.
 */
export interface Material {
  readonly request: IdempotentRequest
  readonly cipherKey: Buffer
}

export const material = (
  sentKey: string,
  authorization: string | undefined,
  tenant: string | undefined,
  method: string,
  path: string,
  body: string
): Material => {
  const bodyBytes = Buffer.from(body, "utf8")
  // Without a tenant the scope is what it always was: keys stored before still match their retries.
  const caller = tenant === undefined || tenant === "" ? `authorization\0${authorization}` : `authorization\0${authorization}\0tenant\0${tenant}`
  const request: IdempotentRequest = {
    scope: authorization === undefined ? "anonymous" : sha256(caller),
    key: sha256(`key\0${sentKey}`),
    method,
    path,
    fingerprint: crypto.createHmac("sha256", sentKey).update(bodyBytes).digest("hex")
  }
  const ikm = Buffer.concat([Buffer.from(`${sentKey}\0${authorization ?? ""}\0`, "utf8"), bodyBytes])
  const cipherKey = Buffer.from(crypto.hkdfSync("sha256", ikm, "provisio/idempotency", "answer v1", 32))
  return { request, cipherKey }
}

/**
 * The body as retries are compared: a JSON body (the input boundary has parsed it, and says so
 * with its Content-Type) canonical (`canonicalJson`), anything else (a document, no body) as sent.
 */
const compared = (request: HttpServerRequest.HttpServerRequest, text: string) =>
  text === "" || request.headers["content-type"] !== "application/json"
    ? Effect.succeed(text)
    : Effect.match(request.json, { onFailure: () => text, onSuccess: canonicalJson })

const IV_BYTES = 12
const TAG_BYTES = 16

const associated = (status: number, contentType: string | null) => Buffer.from(`${status}\0${contentType ?? ""}`, "utf8")

export const seal = (key: Buffer, answer: StoredAnswer): StoredAnswer => {
  const iv = crypto.randomBytes(IV_BYTES)
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv)
  cipher.setAAD(associated(answer.status, answer.contentType))
  const sealed = Buffer.concat([cipher.update(answer.body), cipher.final()])
  return { ...answer, body: Buffer.concat([iv, cipher.getAuthTag(), sealed]) }
}

const open = (key: Buffer, answer: StoredAnswer): Either.Either<StoredAnswer, unknown> =>
  Either.try(() => {
    const body = Buffer.from(answer.body)
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, body.subarray(0, IV_BYTES))
    decipher.setAAD(associated(answer.status, answer.contentType))
    decipher.setAuthTag(body.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    const plain = Buffer.concat([decipher.update(body.subarray(IV_BYTES + TAG_BYTES)), decipher.final()])
    return { ...answer, body: new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength) }
  })

const replay = (stored: StoredAnswer) =>
  stored.status === 204 || (stored.body.byteLength === 0 && stored.contentType === null)
    ? HttpServerResponse.empty({ status: stored.status, headers: { [REPLAYED_HEADER]: "true" } })
    : HttpServerResponse.uint8Array(stored.body, {
      status: stored.status,
      contentType: stored.contentType ?? undefined,
      headers: { [REPLAYED_HEADER]: "true" }
    })

/** The answer as it goes out, if it can be kept: a body in memory (JSON) or none. */
const capture = (response: HttpServerResponse.HttpServerResponse): StoredAnswer | undefined => {
  const body = response.body
  switch (body._tag) {
    case "Uint8Array":
      return { status: response.status, contentType: body.contentType, body: body.body }
    case "Empty":
      return { status: response.status, contentType: null, body: new Uint8Array() }
    default:
      return undefined
  }
}

/**
 * Whether `url` reaches the API as the router reads it: it matches paths in any letter case, with
 * doubled slashes, percent-escapes or the absolute form (`http://host/api/v1/...`), so
 * `/API/V1/customers` and `//api/v1/customers` are `POST /customers` too and must keep their key.
 */
export const isApiPath = (url: string): boolean => {
  let path = url.charCodeAt(0) === 47 ? url : url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "")
  const query = path.search(/[?#]/)
  if (query !== -1) path = path.slice(0, query)
  try {
    path = decodeURIComponent(path)
  } catch {
    // A malformed escape: the router finds no route for it either.
  }
  return path.replace(/\/{2,}/g, "/").toLowerCase().startsWith("/api/v1/")
}

/**
 * Idempotency keys on every `POST` under `/api/v1` (API.md): the same key and request from the
 * same caller within 24 hours replays the first answer, byte for byte (its `meta.request_id`
 * included) with `Idempotent-Replayed: true`; the key with another body or path is
 * `422 idempotency_key_reused`; while the first is running, `409 idempotency_in_progress`.
 *
 * It wraps the whole app (inside `inputBoundary`, so it reads the same request object as the
 * handler: the body is read once, by the boundary). The answer is kept by a pre-response
 * handler, before it is written, so a client that has the answer can always get it again.
 */
export const idempotency = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    if (request.method !== "POST" || !isApiPath(request.url)) return app
    const sentKey = sentIdempotencyKey(request.headers)
    return sentKey === undefined ? app : keyed(app, request, sentKey)
  })

/** `idempotency` for a `POST` that sent a key. */
const keyed = <E, R>(app: HttpApp.Default<E, R>, request: HttpServerRequest.HttpServerRequest, sentKey: string) =>
  Effect.gen(function* () {
    if (!VALID_KEY.test(sentKey)) {
      return yield* refuse(
        request,
        ValidationErrorError,
        ValidationError.of("X-Idempotency-Key", `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`)
      )
    }
    // `text` is cached on the request: the handler reads the same body again for free. A body
    // that cannot be read is the app's to answer (400).
    const body = yield* Effect.either(request.text)
    if (Either.isLeft(body)) return yield* app

    const store = yield* IdempotencyStore
    const materialOf = (text: string) =>
      material(sentKey, request.headers["authorization"], request.headers["x-tenant-id"], request.method, request.url, text)
    const canonical = yield* compared(request, body.right)
    let { cipherKey, request: keyed } = materialOf(canonical)
    const at = yield* now
    const claim = crypto.randomUUID()
    let begun = yield* Effect.either(store.begin(keyed, claim, at))
    // A key kept before JSON bodies were compared canonically holds the digest of the bytes: its
    // exact retry (within its 24 h) still replays. A second look only after a mismatch, and only
    // when the bytes are not already canonical: the hot path (a new key) never pays it.
    if (Either.isRight(begun) && begun.right._tag === "Mismatch" && canonical !== body.right) {
      const asSent = materialOf(body.right)
      const again = yield* Effect.either(store.begin(asSent.request, claim, at))
      if (Either.isLeft(again) || again.right._tag !== "Mismatch") {
        begun = again
        cipherKey = asSent.cipherKey
        keyed = asSent.request
      }
    }
    // The store failed (and logged why): the request is not run unguarded; 500, and the client retries.
    if (Either.isLeft(begun)) {
      return yield* refuse(request, InternalError, begun.left)
    }

    switch (begun.right._tag) {
      case "Mismatch":
        return yield* refuse(
          request,
          IdempotencyKeyReusedError,
          new IdempotencyKeyReused({
            message: "this idempotency key was used with another request (path or body); use a new key",
            field: "X-Idempotency-Key"
          })
        )
      case "InProgress":
        return yield* refuse(
          request,
          IdempotencyInProgressError,
          new IdempotencyInProgress({
            message: "a request with this idempotency key is still being processed; retry shortly",
            field: "X-Idempotency-Key"
          })
        )
      case "Replay": {
        const opened = open(cipherKey, begun.right.answer)
        if (Either.isRight(opened)) return yield* answer(request, replay(opened.right))
        yield* Effect.logError("idempotency: a kept answer does not decrypt", opened.left)
        return yield* refuse(request, InternalError, new PersistenceError({ message: "a kept answer does not decrypt" }))
      }
      case "Started":
        break
    }

    let settled = false
    const settle = (response: HttpServerResponse.HttpServerResponse) =>
      Effect.gen(function* () {
        if (settled) return
        settled = true
        const kept = isKeptAnswer(response.status) ? capture(response) : undefined
        const at = yield* now
        yield* kept === undefined
          ? store.abandon(keyed, claim)
          : store.complete(keyed, claim, seal(cipherKey, kept), at)
      }).pipe(
        // The answer still goes out; the claim then lapses after its lease.
        Effect.catchAllCause((cause) => Effect.logError("idempotency: cannot keep the answer", cause))
      )
    // Runs after the app's answer is final and before it is written.
    yield* HttpApp.appendPreResponseHandler((_, response) => Effect.as(settle(response), response))
    // The request runs to its end even if the client goes away (the server then interrupts the
    // request's fiber): the client will retry with the key, and must find the answer rather than
    // a half-done request. A daemon, because an interrupted fiber interrupts its children at once.
    return yield* Effect.uninterruptible(Effect.flatMap(Effect.forkDaemon(app), Fiber.join)).pipe(
      Effect.ensuring(Effect.suspend(() => settled ? Effect.void : Effect.ignore(store.abandon(keyed, claim))))
    )
  })
