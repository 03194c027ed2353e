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
export const Timestamp = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.DateFromSelf),
  Schema.DateTimeUtcFromSelf,
  {
    strict: true,
    decode: (input, _, ast) =>
      Option.match(DateTime.make(input), {
        onNone: () => ParseResult.fail(new ParseResult.Type(ast, input, "must be an ISO 8601 date-time")),
        onSome: (dt) => ParseResult.succeed(DateTime.toUtc(dt))
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
