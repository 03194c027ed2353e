import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"

/** The most items one statement takes; more wait for the next. */
export const MAX_GROUP = 500

/**
 * Concurrent callers' items in one statement (a group commit): while one statement is in flight,
 * the items that arrive wait, and go together in the next. A burst of callers then costs one
 * statement, one round trip and one commit where each would have sent its own; a lone caller waits
 * for nothing. `send` answers each item's outcome, in the items' order. It runs on a fiber of the
 * layer's scope, outside any caller's transaction: an item is committed on its own, never with a
 * caller's other writes.
 */
export const groupedCalls = <I, A, E>(
  send: (items: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<Exit.Exit<A, E>>>
): Effect.Effect<(item: I) => Effect.Effect<A, E>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const queue = yield* Queue.unbounded<{ readonly item: I; readonly done: Deferred.Deferred<A, E> }>()
    yield* Effect.forkScoped(Effect.forever(Effect.gen(function* () {
      const first = yield* Queue.take(queue)
      const group = [first, ...Chunk.toReadonlyArray(yield* Queue.takeUpTo(queue, MAX_GROUP - 1))]
      const exits = yield* Effect.exit(send(group.map((waiting) => waiting.item)))
      yield* Effect.forEach(group, (waiting, i) =>
        Deferred.done(waiting.done, Exit.isSuccess(exits) ? exits.value[i]! : Exit.failCause(exits.cause)), { discard: true })
    })))
    return (item: I) =>
      Effect.flatMap(Deferred.make<A, E>(), (done) => Effect.zipRight(Queue.offer(queue, { item, done }), Deferred.await(done)))
  })

/** `groupedCalls` for a statement that answers nothing: every item gets the statement's outcome. */
export const groupedStatement = <I, E>(
  send: (items: ReadonlyArray<I>) => Effect.Effect<void, E>
): Effect.Effect<(item: I) => Effect.Effect<void, E>, never, Scope.Scope> =>
  groupedCalls((items: ReadonlyArray<I>) =>
    Effect.map(Effect.exit(send(items)), (exit) => items.map(() => exit)))
