import type { PersistenceError } from "@provisio/core/shared/errors"
import type { KeyedTransaction } from "@provisio/core/shared/idempotency"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * The endpoints whose handler writes in its idempotency key's transaction (`inKeyedTransaction`),
 * so that a `POST` with a key claims it, writes and keeps its answer in one commit (issue 24,
 * fifth step, docs/performance.md). What such a handler must be: its work is its own statements
 * (no call out, nothing it waits for from other requests), because its transaction holds a
 * connection while it runs, and it may run before the claim is known to be its own: a request
 * whose key was used already runs to its end and is then rolled back and answered the first
 * answer. The key is looked at when the handler starts, after authentication and the rate limit:
 * a retry whose credential no longer authenticates is 401 (elsewhere: the replay), and an answer
 * given before the handler (a body that does not decode) claims the key after it, as it is kept.
 * Each endpoint here wraps its handler in `inKeyedTransaction`; the others claim their key first,
 * on its own, and keep the answer after.
 */
export const IN_KEYED_TRANSACTION: ReadonlySet<string> = new Set(["POST /api/v1/customers"])

export const inKeyedTransactionRoute = (method: string, url: string) => {
  const queryAt = url.indexOf("?")
  return IN_KEYED_TRANSACTION.has(`${method} ${queryAt === -1 ? url : url.slice(0, queryAt)}`)
}

/** A keyed request's transaction, opened by its handler (`inKeyedTransaction`) for the middleware to end. */
export interface KeyedSlot {
  readonly open: Effect.Effect<KeyedTransaction, PersistenceError>
  transaction: KeyedTransaction | undefined
}

/** Given by the idempotency middleware to a request on an `IN_KEYED_TRANSACTION` endpoint that sent a key. */
export class KeyedRequest extends Context.Tag("@provisio/http/KeyedRequest")<KeyedRequest, KeyedSlot>() {}

/**
 * A handler's work in its request's idempotency key transaction, when the request has one; as it
 * is otherwise (no key, or the endpoint is used without the middleware).
 */
export const inKeyedTransaction = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | PersistenceError, R> =>
  Effect.flatMap(Effect.serviceOption(KeyedRequest), (slot) => {
    if (Option.isNone(slot)) return effect
    const opened = slot.value.transaction
    if (opened !== undefined) return opened.run(effect)
    return Effect.flatMap(slot.value.open, (transaction) => {
      slot.value.transaction = transaction
      return transaction.run(effect)
    })
  })
