import * as Schema from "effect/Schema"

const fields = { message: Schema.String, field: Schema.optional(Schema.String) }

/**
 * Numbers asked for are not available: another customer holds them (a reservation that has not
 * expired) or they are assigned, porting or quarantined. The message names every one of them.
 */
export class NumberUnavailable extends Schema.TaggedError<NumberUnavailable>()("NumberUnavailable", fields) {
  static of(numbers: ReadonlyArray<string>) {
    return new NumberUnavailable({
      message: numbers.length === 1
        ? `number ${numbers[0]} is not available`
        : `numbers ${numbers.join(", ")} are not available`,
      field: "numbers"
    })
  }
}
