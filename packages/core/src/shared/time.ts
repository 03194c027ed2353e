import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * An instant, ISO 8601 UTC on the wire. It also decodes the `Date` a database driver returns,
 * so one model schema serves the storage rows and the JSON contract.
 */
/**
 * The instants the API takes: years 1 to 9999 in UTC, the dates ISO 8601 writes with four digits
 * and PostgreSQL reads back (year 0 or -1 or 10000 reached the database and failed there: a 500,
 * for a whole usage batch).
 */
export const EARLIEST_INSTANT_MS = Date.parse("0001-01-01T00:00:00.000Z")
export const LATEST_INSTANT_MS = Date.parse("9999-12-31T23:59:59.999Z")
export const isInstantInRange = (millis: number): boolean => millis >= EARLIEST_INSTANT_MS && millis <= LATEST_INSTANT_MS

/**
 * ISO 8601 as the API reads an instant: a date (its year in four digits, or six with a sign: the
 * range check then tells why it is refused), then optionally a time (after `T`, or a space as
 * PostgreSQL writes it; seconds and a fraction optional) and an offset (`Z`, `+01:00`, `+0100`,
 * `+01`). A date alone is its midnight UTC, and a time without an offset is UTC too: the contract's
 * times are UTC, and `new Date` would read it in the server's own time zone.
 */
const ISO_INSTANT =
  /^(\d{4}|[+-]\d{6})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?(?:[Zz]|([+-])(\d\d)(?::?(\d\d))?)?)?$/

const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
    : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

/** The form nearly every sender writes (`2026-11-15T08:00:00Z`, `...+01:00`): read by `Date.parse` once its fields are checked. */
const COMMON_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:\d\d)$/

/** The number the two digits at `at` write (the pattern has checked they are digits). */
const two = (text: string, at: number) => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48

/**
 * The epoch milliseconds an ISO 8601 instant names, or undefined for anything else: `Date.parse`
 * took "1" (2001-01-01), "12/07/2026" and "Dec 7 2026", and rolled 2026-02-30 over to March 2nd.
 */
export const parseInstant = (text: string): number | undefined => {
  if (COMMON_INSTANT.test(text)) {
    const month = two(text, 5)
    const day = two(text, 8)
    const zone = text.length - (text.charCodeAt(text.length - 1) === 90 ? 1 : 6)
    const seconds = text.charCodeAt(16) === 58 ? two(text, 17) : 0
    if (month < 1 || month > 12 || day < 1 || day > daysIn(two(text, 0) * 100 + two(text, 2), month)) return undefined
    if (two(text, 11) > 23 || two(text, 14) > 59 || seconds > 59) return undefined
    if (zone < text.length - 1 && (two(text, zone + 1) > 23 || two(text, zone + 4) > 59)) return undefined
    const at = Date.parse(text)
    return Number.isNaN(at) ? undefined : at
  }
  const m = ISO_INSTANT.exec(text)
  if (m === null) return undefined
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  const hours = m[4] === undefined ? 0 : Number(m[4])
  const minutes = m[5] === undefined ? 0 : Number(m[5])
  const seconds = m[6] === undefined ? 0 : Number(m[6])
  const offsetHours = m[9] === undefined ? 0 : Number(m[9])
  const offsetMinutes = m[10] === undefined ? 0 : Number(m[10])
  if (hours > 23 || minutes > 59 || seconds > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined
  const millis = m[7] === undefined ? 0 : Number(m[7].length >= 3 ? m[7].slice(0, 3) : m[7].padEnd(3, "0"))
  let at = Date.UTC(year, month - 1, day, hours, minutes, seconds, millis)
  // Date.UTC reads years 0 to 99 as 1900 to 1999.
  if (year >= 0 && year < 100) {
    const date = new Date(at)
    date.setUTCFullYear(year)
    at = date.getTime()
  }
  const offset = (offsetHours * 60 + offsetMinutes) * 60_000
  return m[8] === "-" ? at + offset : at - offset
}

export const Timestamp = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.DateFromSelf),
  Schema.DateTimeUtcFromSelf,
  {
    strict: true,
    decode: (input, _, ast) => {
      const millis = typeof input === "string" ? parseInstant(input) : input.getTime()
      if (millis === undefined || Number.isNaN(millis)) {
        return ParseResult.fail(new ParseResult.Type(ast, input, "must be an ISO 8601 date-time"))
      }
      return isInstantInRange(millis)
        ? ParseResult.succeed(DateTime.unsafeMake(millis))
        : ParseResult.fail(
          new ParseResult.Type(ast, input, "must be an ISO 8601 date-time from 0001-01-01 to 9999-12-31")
        )
    },
    encode: (dt) => ParseResult.succeed(DateTime.formatIso(dt))
  }
).annotations({
  identifier: "Timestamp",
  jsonSchema: { type: "string", format: "date-time" }
})

/** The clock's time as a UTC instant: every use case reads time through this, so tests drive it with `TestClock`. */
export const now: Effect.Effect<DateTime.Utc> = Effect.map(Clock.currentTimeMillis, (millis) => DateTime.unsafeMake(millis))

export const isValidTimeZone = (zone: string): boolean =>
  Either.isRight(Either.try(() => DateTime.zoneUnsafeMakeNamed(zone)))
