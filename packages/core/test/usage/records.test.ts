import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fc from "effect/FastCheck"
import { formatDecimal } from "../../src/shared/money"
import { UsageRecordInput } from "../../src/usage/model"
import { readRecord, shapeOf } from "../../src/usage/records"

// readRecord reads the common form of a record directly and leaves the rest to the schema: for
// any input it must answer exactly what decoding UsageRecordInput answers.

const bySchema = (raw: unknown) =>
  Either.mapLeft(Schema.decodeUnknownEither(UsageRecordInput)(raw, { errors: "first" }), (error) => {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]!
    // The schema's message, in the words the API tells it (shapeOf).
    const path = issue.path.map(String).join(".")
    return issue.path.length === 0 ? "shape" : `${path}: ${shapeOf(path, issue.message)}`
  })

/** What a reading gives, comparable across the two paths. */
const outcome = (result: Either.Either<{
  readonly transaction_id: string
  readonly subscription_id: string
  readonly sku_id: string
  readonly quantity: import("effect").BigDecimal.BigDecimal
  readonly occurred_at: DateTime.Utc
}, string>) =>
  Either.match(result, {
    onLeft: (message) => ({ rejected: message.startsWith("the record must be") ? "shape" : message }),
    onRight: (r) => ({
      transaction_id: r.transaction_id,
      subscription_id: r.subscription_id,
      sku_id: r.sku_id,
      quantity: formatDecimal(r.quantity),
      occurred_at: DateTime.toEpochMillis(r.occurred_at)
    })
  })

// Each field is mostly in the common form, so that records with one odd field are frequent.
const common = { weight: 6 } as const

const id = fc.oneof(
  { ...common, arbitrary: fc.stringMatching(/^[a-z_0-9-]{1,30}$/) },
  { weight: 1, arbitrary: fc.string({ minLength: 0, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom("x".repeat(200), "x".repeat(201), "") },
  { weight: 1, arbitrary: fc.integer() }
)

const quantity = fc.oneof(
  { ...common, arbitrary: fc.stringMatching(/^(0|[1-9]\d{0,3})(\.\d{1,4})?$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^-?[0-9.eE+ -]{0,6}$/) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "0", "00", "01", "007.5", "1.", ".5", "1e3", "+1", " 1", "1 ", "-0", "-1.5", "1".repeat(30), "1".repeat(31),
      `1.${"0".repeat(20)}`, `1.${"0".repeat(21)}`, "１"
    )
  },
  { weight: 2, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -0, Infinity, NaN, null) }
)

const instant = fc.oneof(
  {
    ...common,
    arbitrary: fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z") })
      .map((d) => d.toISOString())
  },
  {
    weight: 4,
    arbitrary: fc.tuple(
      fc.integer({ min: 1990, max: 2099 }),
      fc.integer({ min: 0, max: 14 }),
      fc.integer({ min: 0, max: 33 }),
      fc.integer({ min: 0, max: 25 }),
      fc.constantFrom("", ":07", ":59.5", ":60", ":07.123456789", ":07.1234567890"),
      fc.constantFrom("Z", "+02:00", "-05:30", "+14:00", "", "+0200", "z", " UTC", "+25:00")
    ).map(([y, m, d, h, s, zone]) =>
      `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}T${String(h).padStart(2, "0")}:30${s}${zone}`
    )
  },
  { weight: 1, arbitrary: fc.constantFrom("2026-11-15", "2026-11-15 08:00:00Z", "Nov 15 2026", "", "not a date") },
  { weight: 1, arbitrary: fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z") }) },
  { weight: 1, arbitrary: fc.integer() }
)

const record = fc.oneof(
  { weight: 8, arbitrary: fc.record({ transaction_id: id, subscription_id: id, sku_id: id, quantity, occurred_at: instant }) },
  {
    weight: 1,
    arbitrary: fc.record(
      { transaction_id: id, subscription_id: id, sku_id: id, quantity, occurred_at: instant },
      { requiredKeys: [] }
    )
  },
  { weight: 1, arbitrary: fc.anything() }
)

describe("reading usage records", () => {
  it("answers what decoding UsageRecordInput answers, for records of every form", () => {
    fc.assert(
      fc.property(record, (raw) => {
        expect(outcome(readRecord(raw))).toEqual(outcome(bySchema(raw)))
      }),
      { numRuns: 5_000 }
    )
  })

  it("reads the common form directly, with the same values", () => {
    const raw = {
      transaction_id: "cdr-1",
      subscription_id: "sub_1",
      sku_id: "voice-minutes",
      quantity: "12.50",
      occurred_at: "2026-11-15T08:00:00+01:00"
    }
    expect(outcome(readRecord(raw))).toEqual({
      transaction_id: "cdr-1",
      subscription_id: "sub_1",
      sku_id: "voice-minutes",
      quantity: "12.50",
      occurred_at: Date.UTC(2026, 10, 15, 7)
    })
    expect(outcome(readRecord({ ...raw, quantity: 42 }))).toMatchObject({ quantity: "42" })
    expect(outcome(readRecord({ ...raw, quantity: 1.5 }))).toMatchObject({ rejected: expect.stringMatching(/^quantity: /) })
  })
})
