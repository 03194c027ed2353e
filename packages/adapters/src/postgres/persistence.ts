import type { SqlError } from "@effect/sql/SqlError"
import { InvalidState, PersistenceError } from "@provisio/core/shared/errors"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"

/**
 * The one place a storage failure becomes the core's `PersistenceError`: the cause is logged
 * here, callers get a message without SQL in it.
 */
export const orPersistenceError = <A, E extends SqlError | ParseResult.ParseError | Cause.NoSuchElementException, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, PersistenceError, R> =>
  Effect.catchAll(effect, (error) =>
    Effect.logError("database failure", error).pipe(
      Effect.zipRight(Effect.fail(new PersistenceError({ message: "the database could not complete the request" })))
    )
  )

/** PostgreSQL's unique_violation, optionally on one named constraint. */
export const isUniqueViolation = (error: unknown, constraint?: string): boolean => {
  const cause = (error as { readonly cause?: { readonly code?: string; readonly constraint?: string } })?.cause
  return cause?.code === "23505" && (constraint === undefined || cause.constraint === constraint)
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
