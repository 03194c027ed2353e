import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type { PersistenceError } from "./errors.js"

/**
 * Idempotency keys (API.md, "Auth"): a `POST` sent again with the same key by the same caller
 * within `IDEMPOTENCY_WINDOW` gets the first answer back instead of running twice.
 */

/** How long a key's answer is kept and replayed; older keys are ignored and purged lazily. */
export const IDEMPOTENCY_WINDOW = Duration.hours(24)

/**
 * How long a claim on a key may stay in flight. A process that died holding one leaves it
 * behind; after the lease the next request with the key takes it over rather than getting
 * `409 idempotency_in_progress` for a day.
 */
export const IDEMPOTENCY_LEASE = Duration.minutes(1)

/** The longest key a caller may send (Stripe's limit). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255

/** What identifies one use of a key: who sent it, and what it was sent with. */
export interface IdempotentRequest {
  /** The caller: a digest of the credential the request carries (the HTTP layer decides). */
  readonly scope: string
  /** The key as stored (a digest of what the caller sent). */
  readonly key: string
  readonly method: string
  readonly path: string
  /** A digest of the request body; the same key with another body is a mistake. */
  readonly fingerprint: string
}

/** An answer as it was sent, kept to be sent again. The body is opaque to the store. */
export interface StoredAnswer {
  readonly status: number
  readonly contentType: string | null
  readonly body: Uint8Array
}

export type Begin = Data.TaggedEnum<{
  /** The key is now claimed by this request: run it, then `complete` or `abandon` the claim. */
  Started: {}
  /** The key was used for this very request before: send its answer again. */
  Replay: { readonly answer: StoredAnswer }
  /** The key was used for another request (another path or body). */
  Mismatch: {}
  /** The first request with the key is still running. */
  InProgress: {}
}>

export const Begin = Data.taggedEnum<Begin>()

/**
 * How `claimAlong` went, beside the effect's outcome (`exit`): the claim `carried` by the effect's
 * first write (the key is claimed); `refused` with it (that write failed and the claim with it, so
 * nothing of either was kept: the key may be taken, or the write failed on its own); or
 * `not_tried` (the effect failed before any write that carries a claim: the key is not claimed).
 */
export interface ClaimAlong<A, E> {
  readonly claim: "carried" | "refused" | "not_tried"
  readonly exit: Exit.Exit<A, E>
}

/**
 * The storage of idempotency keys. Claims must be atomic across processes that share the
 * storage: of two concurrent `begin`s for one key, exactly one is `Started`.
 */
export class IdempotencyStore extends Context.Tag("@provisio/core/IdempotencyStore")<IdempotencyStore, {
  /**
   * Claims `request.key` for `claim` (a token only this request knows) at `now`, unless a use of
   * the key younger than `IDEMPOTENCY_WINDOW` exists: then its answer, a mismatch, or in progress.
   * An in-flight claim older than `IDEMPOTENCY_LEASE` is taken over.
   */
  readonly begin: (
    request: IdempotentRequest,
    claim: string,
    now: DateTime.Utc
  ) => Effect.Effect<Begin, PersistenceError>
  /** Keeps the answer of the claimed request, for replays. */
  readonly complete: (
    request: IdempotentRequest,
    claim: string,
    answer: StoredAnswer,
    now: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
  /** Releases the claim without keeping an answer: the key may be used again at once. */
  readonly abandon: (request: IdempotentRequest, claim: string) => Effect.Effect<void, PersistenceError>
  /**
   * Runs `effect` with the claim of `request.key` sent along with its first write, in one
   * statement: the claim and that write are kept together or not at all, one round trip and one
   * commit where `begin` and the write were two. Only where a taken key refuses the claim: the
   * caller then learns `Refused` and nothing was kept, and goes the way of `begin`. For effects
   * whose every write can carry the claim (the store's adapter says which can); one that succeeds
   * without carrying it is a defect.
   */
  readonly claimAlong: <A, E, R>(
    request: IdempotentRequest,
    claim: string,
    now: DateTime.Utc,
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<ClaimAlong<A, E>, never, R>
}>() {}

/**
 * Whether an answer is kept for replays. Failures on our side (5xx) are not: the client may
 * retry. Neither are answers given before the endpoint ran at all, since nothing happened that
 * a retry could repeat: `401` (the credential was refused) and `429` (rate limited; the retry
 * after `Retry-After` must run).
 */
export const isKeptAnswer = (status: number): boolean => status < 500 && status !== 401 && status !== 429
