import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * A port's layer for a test, from the methods the test gives: the use case under test runs
 * against them in memory, in milliseconds. A method the test did not give fails the test where
 * it is called, naming it, rather than answering something made up.
 */
export const fake = <I, S extends object>(tag: Context.Tag<I, S>, methods: Partial<S>): Layer.Layer<I> =>
  Layer.succeed(
    tag,
    new Proxy(methods as S, {
      get: (target, property) =>
        property in target
          ? target[property as keyof S]
          : () => Effect.dieMessage(`${tag.key}.${String(property)} was called, but the test gave no fake of it`)
    })
  )
