import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { PersistenceError } from "./errors.js"

/** Runs an effect atomically: all of its writes happen, or none do. */
export class Transactor extends Context.Tag("@provisio/core/Transactor")<Transactor, {
  readonly withTransaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | PersistenceError, R>
}>() {}
