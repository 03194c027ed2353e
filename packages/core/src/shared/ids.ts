import { Clock, Effect, Random, Schema } from "effect"

// Crockford's base32 in lower case: digits sort before letters, so ids sort by creation time.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

const encodeTime = (millis: number): string => {
  let out = ""
  let rest = millis
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out
    rest = Math.floor(rest / 32)
  }
  return out
}

/**
 * A prefixed, time-sortable id (`cus_01jd...`): 48 bits of milliseconds from `Clock`, then
 * 80 random bits, so tests moving `TestClock` get ids in the order they were made.
 */
export const makeId = <Prefix extends string>(prefix: Prefix): Effect.Effect<string> =>
  Effect.gen(function* () {
    const millis = yield* Clock.currentTimeMillis
    let random = ""
    for (let i = 0; i < 16; i++) random += ALPHABET[yield* Random.nextIntBetween(0, 32)]
    return `${prefix}_${encodeTime(millis)}${random}`
  })

/** A branded id schema that only accepts strings carrying its prefix. */
export const prefixedId = <const Brand extends string>(prefix: string, brand: Brand) =>
  Schema.String.pipe(
    Schema.pattern(new RegExp(`^${prefix}_[0-9a-z]{1,64}$`), {
      message: () => `must be an id starting with "${prefix}_"`
    }),
    Schema.brand(brand)
  )
