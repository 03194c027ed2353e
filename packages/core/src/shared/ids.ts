import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"

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

/** Makes ids: `count` new ones with `prefix`, in increasing order. */
export interface IdGenerator {
  readonly next: (prefix: string, count: number) => Effect.Effect<Array<string>>
}

const increment = (digits: Array<number>): Array<number> => {
  const next = [...digits]
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i] = next[i]! + 1
      return next
    }
    next[i] = 0
  }
  return next
}

/** 80 random bits as 16 base-32 digits, the top one below 16 (room to count up without overflowing). */
const digitsOf = (high: number, middle: number, low: number): Array<number> => {
  const digits: Array<number> = []
  // 30 random bits each: 6 digits from the first two, 4 from the third (of which the top is halved).
  for (const [bits, count] of [[high, 6], [middle, 6], [low, 4]] as const) {
    for (let i = count - 1; i >= 0; i--) digits.push((bits >>> (5 * i)) & 31)
  }
  digits[0] = digits[0]! & 15
  return digits
}

const BITS_30 = 2 ** 30

/**
 * The ids one generator makes at `now`; `fresh` gives the random part of a new millisecond. The
 * synchronous core of `timeSortedIds`.
 */
const sortedIds = () => {
  let lastMillis = -1
  let lastRandom: Array<number> = []
  const randomPart = () => lastRandom.map((d) => ALPHABET[d]).join("")
  return (prefix: string, count: number, now: number, fresh: () => Array<number>): Array<string> => {
    if (now > lastMillis) {
      lastMillis = now
      lastRandom = fresh()
    } else {
      lastRandom = increment(lastRandom)
    }
    const time = `${prefix}_${encodeTime(lastMillis)}`
    const ids = [`${time}${randomPart()}`]
    for (let i = 1; i < count; i++) {
      lastRandom = increment(lastRandom)
      ids.push(`${time}${randomPart()}`)
    }
    return ids
  }
}

/**
 * Prefixed, time-sortable ids (`cus_01jd...`): 48 bits of milliseconds from `Clock`, then 80 bits
 * that are random for the first id of a millisecond and counted up after it. Within one
 * millisecond (or when the clock steps back) the next id reuses that time and adds one to the
 * random part, so ids made by one generator strictly increase: creation order is id order, and a
 * list cursor never skips a row made after it. The random bits are three draws from `Random`.
 */
export const timeSortedIds = (): IdGenerator => {
  const make = sortedIds()
  const draw = Effect.all([
    Random.nextIntBetween(0, BITS_30),
    Random.nextIntBetween(0, BITS_30),
    Random.nextIntBetween(0, BITS_30)
  ])
  return {
    next: (prefix, count) =>
      count <= 0 ? Effect.succeed([]) : Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.map(
          draw,
          ([high, middle, low]) => make(prefix, count, now, () => digitsOf(high, middle, low))
        ))
  }
}

const requestIds = sortedIds()
const unitDraw = () => Math.floor(Math.random() * BITS_30)

/**
 * A request id (`req_...`) at once, outside any effect: the wall clock and `Math.random`. For the
 * id of every request, which is only ever compared for equality, made before any effect runs.
 */
export const unsafeRequestId = (): string =>
  requestIds("req", 1, Date.now(), () => digitsOf(unitDraw(), unitDraw(), unitDraw()))[0]!

/**
 * Where ids come from: a process's generator (`timeSortedIds`) unless a layer provides another
 * (a host's, or a deterministic one in a test).
 */
export class Ids extends Context.Reference<Ids>()("@provisio/core/Ids", { defaultValue: timeSortedIds }) {}

/** A new id with `prefix`. */
export const makeId = <Prefix extends string>(prefix: Prefix): Effect.Effect<string> =>
  Effect.flatMap(Ids, (ids) => Effect.map(ids.next(prefix, 1), (made) => made[0]!))

/**
 * `count` new ids with `prefix`, as `makeId` makes them one after the other, reading the clock
 * once (a billing chunk makes hundreds at a time).
 */
export const makeIds = <Prefix extends string>(prefix: Prefix, count: number): Effect.Effect<Array<string>> =>
  Effect.flatMap(Ids, (ids) => ids.next(prefix, count))

/** A branded id schema that only accepts strings carrying its prefix. */
export const prefixedId = <const Brand extends string>(prefix: string, brand: Brand) =>
  Schema.String.pipe(
    Schema.pattern(new RegExp(`^${prefix}_[0-9a-z]{1,64}$`), {
      message: () => `must be an id starting with "${prefix}_", then 1 to 64 lower-case letters and digits`
    }),
    Schema.brand(brand)
  )
