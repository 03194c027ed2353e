import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
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

export const Timestamp = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.DateFromSelf),
  Schema.DateTimeUtcFromSelf,
  {
    strict: true,
    decode: (input, _, ast) =>
      Option.match(DateTime.make(input), {
        onNone: () => ParseResult.fail(new ParseResult.Type(ast, input, "must be an ISO 8601 date-time")),
        onSome: (dt) =>
          isInstantInRange(DateTime.toEpochMillis(dt))
            ? ParseResult.succeed(DateTime.toUtc(dt))
            : ParseResult.fail(
              new ParseResult.Type(ast, input, "must be an ISO 8601 date-time from 0001-01-01 to 9999-12-31")
            )
      }),
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
