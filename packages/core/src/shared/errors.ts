import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * The error family every context shares. Each error carries a human `message` and, where one
 * input field is to blame, its `field`: that is all a caller needs to correct the request, and
 * the HTTP layer maps each class to a status and code once (packages/http/src/errors.ts).
 */
const fields = { message: Schema.String, field: Schema.optional(Schema.String) }

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", fields) {
  static of(resource: string, id: string) {
    return new NotFound({ message: `${resource} ${id} not found` })
  }
}

/** What `found` found, or `NotFound` naming `resource` and `id`: `repo.findById(id).pipe(orNotFound("order", id))`. */
export const orNotFound = (resource: string, id: string) =>
<A, E, R>(found: Effect.Effect<Option.Option<A>, E, R>): Effect.Effect<A, E | NotFound, R> =>
  Effect.flatMap(found, Option.match({ onNone: () => Effect.fail(NotFound.of(resource, id)), onSome: Effect.succeed }))

export class ValidationError extends Schema.TaggedError<ValidationError>()("ValidationError", fields) {
  static of(field: string, message: string) {
    return new ValidationError({ field, message })
  }
}

/** The resource is in a state where the operation cannot happen (e.g. deleting an account with children). */
export class InvalidState extends Schema.TaggedError<InvalidState>()("InvalidState", fields) {}

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", fields) {}

/** Authenticated, but the role does not allow the operation. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", fields) {}

/**
 * The caller's account, or one above it, is suspended: its users and API keys are refused on
 * every request and cannot sign in until an admin above the suspended account resumes it.
 */
export class AccountSuspended extends Schema.TaggedError<AccountSuspended>()("AccountSuspended", fields) {}

/** The partner's edition does not include the operation (free partners read subscriptions and orders only). */
export class EditionForbidden extends Schema.TaggedError<EditionForbidden>()("EditionForbidden", fields) {}

/** The storage failed; the message is safe to show (no SQL), the cause was logged by the adapter. */
export class PersistenceError extends Schema.TaggedError<PersistenceError>()("PersistenceError", fields) {}

/** An idempotency key sent again with another request (another body or path) than its first use. */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", fields) {}

/** The first request with this idempotency key is still being served. */
export class IdempotencyInProgress extends Schema.TaggedError<IdempotencyInProgress>()("IdempotencyInProgress", fields) {}

/** The caller used up its request budget; `retry_after` says in how many seconds it may try again. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...fields,
  retry_after: Schema.optional(Schema.Int)
}) {}
