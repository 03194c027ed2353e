import * as Effect from "effect/Effect"

/**
 * Waiting in real time for network I/O, whatever the TestClock says: the delivery, webhook and
 * worker tests share these.
 */

export const realSleep = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/** Polls `condition` in real time, with a deadline generous enough for a CI machine busy with other test files. */
export const waitFor = (condition: () => boolean, what: string, millis = 20_000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + millis
    while (Date.now() < deadline) {
      if (condition()) return
      yield* realSleep(10)
    }
    throw new Error(`timed out waiting for ${what}`)
  })
