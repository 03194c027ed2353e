import type { SqlError } from "@effect/sql/SqlError"
import { InvalidState, PersistenceError } from "@provisio/core/shared/errors"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"

/** Failures that are expected and reported where they are understood, not logged as database failures. */
const reportedElsewhere = new WeakSet<object>()

/**
 * Marks `error` as expected and reported elsewhere: a write refused because the idempotency
 * claim riding in its statement found its key taken (plain-statements.ts), which `claimAlong`
 * reports as `refused` and the request's retry path answers.
 */
export const reportElsewhere = (error: object): void => void reportedElsewhere.add(error)

/**
 * The one place a storage failure becomes the core's `PersistenceError`: the cause is logged
 * here (unless `reportElsewhere` said otherwise), callers get a message without SQL in it.
 */
export const orPersistenceError = <A, E extends SqlError | ParseResult.ParseError | Cause.NoSuchElementException, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, PersistenceError, R> =>
  Effect.catchAll(effect, (error) => {
    const failed = Effect.fail(new PersistenceError({ message: "the database could not complete the request" }))
    return reportedElsewhere.has(error) ? failed : Effect.zipRight(Effect.logError("database failure", error), failed)
  })

/** PostgreSQL's unique_violation, optionally on one named constraint. */
export const isUniqueViolation = (error: unknown, constraint?: string): boolean => {
  const cause = (error as { readonly cause?: { readonly code?: string; readonly constraint?: string } })?.cause
  return cause?.code === "23505" && (constraint === undefined || cause.constraint === constraint)
}

/** A failure PostgreSQL answered with an error of its own (a SQLSTATE): the statement was refused and nothing of it kept. */
export const isRefusedByDatabase = (error: unknown): boolean => {
  const code = (error as { readonly cause?: { readonly code?: unknown } })?.cause?.code
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)
}

/** PostgreSQL's foreign_key_violation: a row still referenced from another table. */
export const isForeignKeyViolation = (error: unknown): boolean =>
  (error as { readonly cause?: { readonly code?: string } })?.cause?.code === "23503"

/**
 * A delete refused because rows that must stay still reference what it removes: `InvalidState`
 * with `message` (what to do instead), not a database failure; other failures as `orPersistenceError`.
 */
export const refusedWhileReferenced = (message: string) =>
  <A, R>(effect: Effect.Effect<A, SqlError, R>): Effect.Effect<A, InvalidState | PersistenceError, R> =>
    Effect.catchAll(effect, (error): Effect.Effect<never, InvalidState | PersistenceError> =>
      isForeignKeyViolation(error) ? Effect.fail(new InvalidState({ message })) : orPersistenceError(Effect.fail(error)))
