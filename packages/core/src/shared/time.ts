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

/**
 * The epoch milliseconds an ISO 8601 instant names, or undefined for anything else: `Date.parse`
 * took "1" (2001-01-01), "12/07/2026" and "Dec 7 2026", and rolled 2026-02-30 over to March 2nd.
 */
export const parseInstant = (text: string): number | undefined => {
  const m = ISO_INSTANT.exec(text)
  if (m === null) return undefined
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const [hours, minutes, seconds] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)]
  const [offsetHours, offsetMinutes] = [Number(m[9] ?? 0), Number(m[10] ?? 0)]
  if (!Number.isFinite(year) || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hours > 23 || minutes > 59 || seconds > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0 to 99 as 1900 to 1999.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hours, minutes, seconds, Number((m[7] ?? "").padEnd(3, "0").slice(0, 3)))
  const offset = (m[8] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000
  return date.getTime() - offset
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
