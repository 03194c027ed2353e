import { describe, expect, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fc from "effect/FastCheck"
import {
  addMoney,
  CURRENCIES,
  Currency,
  DecimalString,
  fitsDecimalString,
  formatAmount,
  formatDecimal,
  minorUnits,
  Money,
  money,
  multiplyMoney,
  parseDecimal,
  roundMoney,
  roundToMinorUnit,
  sumMoney,
  zeroMoney
} from "../../src/shared/money"

const d = BigDecimal.unsafeFromString
const show = formatDecimal

/** The first problem `schema` finds in `input`, as the API reports it: a path and a message. */
const problemOf = <A, I>(schema: Schema.Schema<A, I>, input: unknown) =>
  Either.match(Schema.decodeUnknownEither(schema)(input), {
    onLeft: (error) => {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      return { path: issue!.path, message: issue!.message }
    },
    onRight: () => undefined
  })

describe("currencies", () => {
  it.each([
    ["EUR", 2], ["USD", 2], ["GBP", 2], ["CHF", 2], ["SEK", 2], ["NOK", 2], ["DKK", 2], ["PLN", 2], ["CZK", 2],
    ["HUF", 2], ["JPY", 0], ["KRW", 0], ["CAD", 2], ["AUD", 2], ["NZD", 2], ["BRL", 2], ["MXN", 2], ["INR", 2],
    ["ZAR", 2], ["SGD", 2], ["HKD", 2], ["CNY", 2], ["BHD", 3], ["KWD", 3], ["JOD", 3], ["OMR", 3], ["TND", 3]
  ] as const)("%s has %i minor digits", (code, digits) => {
    expect(Schema.decodeUnknownSync(Currency)(code)).toBe(code)
    expect(minorUnits(code)).toBe(digits)
  })

  it.each([["XYZ"], ["eur"], [" EUR"], ["EURO"], [""], ["toString"], [978], [null]])("rejects %j", (code) => {
    expect(problemOf(Currency, code)?.message).toBe(
      "is not a supported ISO 4217 currency code (upper case, e.g. \"EUR\")"
    )
  })
})

describe("decimal strings", () => {
  it.each([
    ["12.50", "12.50"],
    ["0", "0"],
    ["-3", "-3"],
    ["-0.05", "-0.05"],
    ["0.000001", "0.000001"],
    ["1000000000000000000000000000.01", "1000000000000000000000000000.01"]
  ])("reads %s and writes it back as %s", (text, written) => {
    const n = Schema.decodeUnknownSync(DecimalString)(text)
    expect(Schema.encodeSync(DecimalString)(n)).toBe(written)
  })

  it.each([
    ["an exponent", "1e5"],
    ["NaN", "NaN"],
    ["Infinity", "Infinity"],
    ["an empty string", ""],
    ["a trailing point", "12."],
    ["a leading point", ".5"],
    ["a leading +", "+1"],
    ["a leading zero", "012.5"],
    ["spaces", " 12.50"],
    ["a decimal comma", "12,50"],
    ["a thousands separator", "1,000.00"],
    ["hex", "0x10"],
    ["two points", "1.2.3"]
  ])("rejects %s (%j)", (_, text) => {
    expect(problemOf(DecimalString, text)?.message).toBe(
      "must be a decimal string such as \"12.50\": digits, an optional leading \"-\" and an optional \".\" " +
        "followed by digits (no exponent, no \"+\", no spaces)"
    )
  })

  it("rejects a JSON number, saying why", () => {
    expect(problemOf(DecimalString, 12.5)?.message).toBe(
      "must be a decimal string such as \"12.50\", not a JSON number (numbers lose precision)"
    )
    expect(problemOf(DecimalString, null)?.message).toBe("must be a decimal string such as \"12.50\"")
  })

  it("rejects more digits than NUMERIC columns are sized for", () => {
    expect(problemOf(DecimalString, "1".repeat(31))?.message).toBe(
      "must have at most 30 digits before the point and 20 after it"
    )
    expect(problemOf(DecimalString, `0.${"1".repeat(21)}`)?.message).toBe(
      "must have at most 30 digits before the point and 20 after it"
    )
  })

  it("says whether an amount computed from others would read back (fitsDecimalString)", () => {
    expect(fitsDecimalString(d("9".repeat(30) + ".00"))).toBe(true)
    expect(fitsDecimalString(d("9".repeat(31)))).toBe(false)
    expect(fitsDecimalString(d("-" + "9".repeat(31)))).toBe(false)
    expect(fitsDecimalString(BigDecimal.make(1n, 21))).toBe(false)
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: -35, max: 25 }), (value, scale) => {
        const n = BigDecimal.make(value, scale)
        return fitsDecimalString(n) === Either.isRight(parseDecimal(formatDecimal(n)))
      })
    )
  })

  it("writes any BigDecimal in plain notation, and reads it back exactly", () => {
    expect(formatDecimal(BigDecimal.make(12n, -3))).toBe("12000")
    expect(formatDecimal(BigDecimal.make(-5n, 4))).toBe("-0.0005")
    expect(formatDecimal(d("1e-18"))).toBe("0.000000000000000001") // BigDecimal.format would say "1e-18"
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: 0, max: 20 }), (value, scale) => {
        const n = BigDecimal.make(value, scale)
        return Either.match(parseDecimal(formatDecimal(n)), {
          onLeft: () => formatDecimal(n).replace(/^-/, "").split(".")[0]!.length > 30,
          onRight: (back) => back.value === n.value && back.scale === n.scale
        })
      })
    )
  })
})

describe("money", () => {
  it("reads and writes the JSON form", () => {
    const m = Schema.decodeUnknownSync(Money)({ amount: "12.50", currency: "EUR" })
    expect(show(m.amount)).toBe("12.50")
    expect(m.currency).toBe("EUR")
    expect(Schema.encodeSync(Money)(m)).toEqual({ amount: "12.50", currency: "EUR" })
    // A credit is negative, a unit price finer than the minor unit: both are money at this level.
    expect(Schema.encodeSync(Money)(Schema.decodeUnknownSync(Money)({ amount: "-0.015", currency: "EUR" })))
      .toEqual({ amount: "-0.015", currency: "EUR" })
  })

  it.each([
    [{ amount: 12.5, currency: "EUR" }, ["amount"], "not a JSON number"],
    [{ amount: "1e5", currency: "EUR" }, ["amount"], "must be a decimal string"],
    [{ amount: "12.50", currency: "XYZ" }, ["currency"], "is not a supported ISO 4217 currency code"],
    [{ amount: "12.50" }, ["currency"], "is missing"]
  ])("rejects %j at %j", (input, path, message) => {
    const problem = problemOf(Money, input)
    expect(problem?.path).toEqual(path)
    expect(problem?.message).toContain(message)
  })

  it("adds, sums and multiplies exactly", () => {
    const a = money(d("0.10"), "EUR")
    const b = money(d("0.20"), "EUR")
    expect(show(addMoney(a, b).amount)).toBe("0.30") // 0.1 + 0.2 in floats is 0.30000000000000004
    expect(show(sumMoney([a, b, a], "EUR").amount)).toBe("0.40")
    expect(show(sumMoney([], "JPY").amount)).toBe("0")
    expect(show(zeroMoney("BHD").amount)).toBe("0.000")
    expect(show(multiplyMoney(money(d("0.015"), "EUR"), d("3")).amount)).toBe("0.045")
    expect(show(multiplyMoney(money(d("9.99"), "EUR"), d("1.5")).amount)).toBe("14.985")
  })

  it("refuses to mix currencies", () => {
    expect(() => addMoney(money(d("1"), "EUR"), money(d("1"), "USD"))).toThrow("cannot combine EUR with USD")
    expect(() => sumMoney([money(d("1"), "USD")], "EUR")).toThrow("cannot combine EUR with USD")
  })
})

describe("rounding", () => {
  it.each([
    // amount, currency, rounded: half-up (ties away from zero), to the currency's minor unit
    ["0.045", "EUR", "0.05"],
    ["0.044999", "EUR", "0.04"],
    ["0.055", "EUR", "0.06"],
    ["12.345", "EUR", "12.35"],
    ["12.5", "EUR", "12.50"],
    ["-0.045", "EUR", "-0.05"],
    ["-12.344", "EUR", "-12.34"],
    ["162.025", "EUR", "162.03"],
    ["2.5", "JPY", "3"],
    ["3.5", "JPY", "4"],
    ["2.49", "JPY", "2"],
    ["1.2345", "BHD", "1.235"],
    ["1.2344", "BHD", "1.234"],
    ["7", "KWD", "7.000"],
    ["0", "EUR", "0.00"]
  ] as const)("%s %s rounds to %s", (amount, currency, rounded) => {
    expect(show(roundToMinorUnit(d(amount), currency))).toBe(rounded)
    expect(formatAmount(d(amount), currency)).toBe(rounded)
    expect(show(roundMoney(money(d(amount), currency)).amount)).toBe(rounded)
  })

  it.each([
    ["12.5", "EUR", "12.50"],
    ["100", "JPY", "100"],
    ["1.25", "BHD", "1.250"],
    ["12.505", "EUR", "12.51"],
    ["1200", "EUR", "1200.00"]
  ] as const)("formats %s %s as %s", (amount, currency, text) => {
    expect(formatAmount(d(amount), currency)).toBe(text)
  })

  it("keeps exactly the currency's digits, moves less than half a minor unit, and is idempotent", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.integer({ min: 0, max: 8 }),
        fc.constantFrom(...CURRENCIES),
        (value, scale, currency) => {
          const amount = BigDecimal.make(value, scale)
          const rounded = roundToMinorUnit(amount, currency)
          const half = BigDecimal.make(5n, minorUnits(currency) + 1)
          return rounded.scale === minorUnits(currency) &&
            BigDecimal.lessThanOrEqualTo(BigDecimal.abs(BigDecimal.subtract(rounded, amount)), half) &&
            BigDecimal.equals(roundToMinorUnit(rounded, currency), rounded) &&
            // symmetric: a credit rounds to the negation of the charge it mirrors
            BigDecimal.equals(roundToMinorUnit(BigDecimal.negate(amount), currency), BigDecimal.negate(rounded))
        }
      )
    )
  })
})
