import { describe, expect, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fc from "effect/FastCheck"
import {
  type PriceModel,
  PriceModel as PriceModelSchema,
  rate,
  type Rating,
  type Tier,
  validatePriceModel
} from "../../src/catalog/pricing"
import { crossedThresholds, validateThresholds } from "../../src/catalog/thresholds"
import { decimal, validTiers } from "../../src/testing/price-models"
import {
  CURRENCIES,
  Currency as CurrencySchema,
  formatDecimal,
  minorUnits,
  roundToMinorUnit
} from "../../src/shared/money"

// The worked tables below are the ones in docs/pricing.md: change both together.

const d = BigDecimal.unsafeFromString
const show = formatDecimal

/** The model as a SKU sends it (JSON), decoded and validated. */
const model = (json: unknown): PriceModel => {
  const decoded = Schema.decodeUnknownSync(PriceModelSchema)(json)
  return Either.getOrThrow(validatePriceModel(decoded))
}

/** A rating's lines as the invoice would print them. */
const lines = (rating: Rating) =>
  rating.lines.map((l) =>
    `${l.tier === null ? "-" : `tier ${l.tier}`}: ${show(l.quantity)} × ${show(l.unit_price)} + ${show(l.flat_fee)} = ${show(l.amount)}`
  )

const TIERS = [
  { up_to: 100, unit_price: "0.10" },
  { up_to: 1000, unit_price: "0.08", flat_fee: "5.00" },
  { up_to: null, unit_price: "0.05" }
]

describe("graduated pricing (EUR)", () => {
  const graduated = model({ model: "graduated", tiers: TIERS })

  it.each([
    // quantity, exact, amount, lines
    ["0", "0", "0.00", []],
    ["1", "0.10", "0.10", ["tier 0: 1 × 0.10 + 0 = 0.10"]],
    ["100", "10.00", "10.00", ["tier 0: 100 × 0.10 + 0 = 10.00"]],
    ["101", "15.08", "15.08", ["tier 0: 100 × 0.10 + 0 = 10.00", "tier 1: 1 × 0.08 + 5.00 = 5.08"]],
    ["1000", "87.00", "87.00", ["tier 0: 100 × 0.10 + 0 = 10.00", "tier 1: 900 × 0.08 + 5.00 = 77.00"]],
    ["1500", "112.00", "112.00", [
      "tier 0: 100 × 0.10 + 0 = 10.00",
      "tier 1: 900 × 0.08 + 5.00 = 77.00",
      "tier 2: 500 × 0.05 + 0 = 25.00"
    ]],
    ["2500.5", "162.025", "162.03", [
      "tier 0: 100 × 0.10 + 0 = 10.00",
      "tier 1: 900 × 0.08 + 5.00 = 77.00",
      "tier 2: 1500.5 × 0.05 + 0 = 75.025"
    ]]
  ])("%s units cost %s, charged %s", (quantity, exact, amount, expectedLines) => {
    const rating = rate(graduated, d(quantity), "EUR")
    expect(show(rating.unrounded)).toBe(exact)
    expect(show(rating.amount)).toBe(amount)
    expect(lines(rating)).toEqual(expectedLines)
  })
})

describe("volume pricing (EUR)", () => {
  const volume = model({ model: "volume", tiers: TIERS })

  it.each([
    ["0", "0", "0.00", []],
    ["1", "0.10", "0.10", ["tier 0: 1 × 0.10 + 0 = 0.10"]],
    ["100", "10.00", "10.00", ["tier 0: 100 × 0.10 + 0 = 10.00"]],
    ["101", "13.08", "13.08", ["tier 1: 101 × 0.08 + 5.00 = 13.08"]],
    ["1000", "85.00", "85.00", ["tier 1: 1000 × 0.08 + 5.00 = 85.00"]],
    ["1500", "75.00", "75.00", ["tier 2: 1500 × 0.05 + 0 = 75.00"]],
    ["2500.5", "125.025", "125.03", ["tier 2: 2500.5 × 0.05 + 0 = 125.025"]]
  ])("%s units cost %s, charged %s", (quantity, exact, amount, expectedLines) => {
    const rating = rate(volume, d(quantity), "EUR")
    expect(show(rating.unrounded)).toBe(exact)
    expect(show(rating.amount)).toBe(amount)
    expect(lines(rating)).toEqual(expectedLines)
  })
})

describe("package pricing (EUR)", () => {
  const packaged = model({ model: "package", unit_price: "9.00", package_size: 100 })

  it.each([
    // quantity, packages, amount
    ["0", null, "0.00"],
    ["1", "1", "9.00"],
    ["100", "1", "9.00"],
    ["100.5", "2", "18.00"],
    ["101", "2", "18.00"],
    ["250", "3", "27.00"]
  ])("%s units take %s packages, charged %s", (quantity, packages, amount) => {
    const rating = rate(packaged, d(quantity), "EUR")
    expect(show(rating.amount)).toBe(amount)
    expect(rating.lines.map((l) => show(l.quantity))).toEqual(packages === null ? [] : [packages])
    expect(rating.lines.map((l) => show(l.units))).toEqual(packages === null ? [] : [quantity])
  })
})

describe("per-unit pricing", () => {
  it.each([
    // currency, unit price, quantity, exact, amount
    ["EUR", "0.015", "0", "0", "0.00"],
    ["EUR", "0.015", "1", "0.015", "0.02"],
    ["EUR", "0.015", "3", "0.045", "0.05"], // half-up; half-even would give 0.04
    ["EUR", "0.015", "1.5", "0.0225", "0.02"],
    ["JPY", "0.5", "1", "0.5", "1"],
    ["JPY", "0.5", "3", "1.5", "2"],
    ["JPY", "0.5", "5", "2.5", "3"], // half-up; half-even would give 2
    ["BHD", "0.0005", "3", "0.0015", "0.002"]
  ] as const)("%s: %s × %s = %s, charged %s", (currency, unitPrice, quantity, exact, amount) => {
    const rating = rate(model({ model: "per_unit", unit_price: unitPrice }), d(quantity), currency)
    expect(show(rating.unrounded)).toBe(exact)
    expect(show(rating.amount)).toBe(amount)
  })
})

// Properties ----------------------------------------------------------------------------------

const price = decimal(10n ** 6n, 4)
const quantity = decimal(10n ** 9n, 3)
const currency = fc.constantFrom(...CURRENCIES)

/** Valid tiers: positive, strictly increasing bounds and an open last tier. */
const tiers = validTiers(price, 6).map((list) => list as ReadonlyArray<Tier>)

const anyModel: fc.Arbitrary<PriceModel> = fc.oneof(
  price.map((unit_price) => ({ model: "per_unit" as const, unit_price })),
  tiers.map((tiers) => ({ model: "graduated" as const, tiers })),
  tiers.map((tiers) => ({ model: "volume" as const, tiers })),
  fc.tuple(price, fc.integer({ min: 1, max: 10_000 })).map(([unit_price, package_size]) => ({
    model: "package" as const,
    unit_price,
    package_size
  }))
)

const ZERO = BigDecimal.make(0n, 0)
const eq = BigDecimal.equals

describe("pricing properties", () => {
  it("generated models are valid", () => {
    fc.assert(fc.property(anyModel, (m) => Either.isRight(validatePriceModel(m))))
  })

  it("graduated: the total is the sum of each tier rated on its own, rounded once", () => {
    // Quantities on a tier's bound are the edge cases: half of them are picked there.
    const tiersAndQuantity = tiers.chain((tiers) => {
      const bounds = tiers.flatMap((t) => (t.up_to === null ? [] : [t.up_to]))
      return fc.tuple(fc.constant(tiers), bounds.length === 0 ? quantity : fc.oneof(quantity, fc.constantFrom(...bounds)))
    })
    fc.assert(
      fc.property(tiersAndQuantity, currency, ([tiers, q], cur) => {
        const rating = rate({ model: "graduated", tiers }, q, cur)
        let lower = ZERO
        let expected = ZERO
        for (const tier of tiers) {
          // The units inside this tier, rated as a per-unit price of their own plus the tier's fee.
          const upper = tier.up_to === null ? q : BigDecimal.min(q, tier.up_to)
          const units = BigDecimal.max(ZERO, BigDecimal.subtract(upper, lower))
          if (BigDecimal.isPositive(units)) {
            const alone = rate({ model: "per_unit", unit_price: tier.unit_price }, units, cur).unrounded
            expected = BigDecimal.sum(expected, BigDecimal.sum(alone, tier.flat_fee ?? ZERO))
          }
          if (tier.up_to !== null) lower = tier.up_to
        }
        const lineTotal = BigDecimal.sumAll(rating.lines.map((l) => l.amount))
        const lineUnits = BigDecimal.sumAll(rating.lines.map((l) => l.units))
        return eq(rating.unrounded, expected) && eq(lineTotal, expected) && eq(lineUnits, q) &&
          rating.lines.every((l) => BigDecimal.isPositive(l.units)) &&
          eq(rating.amount, roundToMinorUnit(expected, cur))
      })
    )
  })

  it("volume: within one tier, more units never cost less", () => {
    fc.assert(
      fc.property(
        tiers,
        fc.nat(),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        currency,
        (tiers, pick, a, b, cur) => {
          const i = pick % tiers.length
          const lower = i === 0 ? ZERO : tiers[i - 1]!.up_to!
          const width = tiers[i]!.up_to === null ? d("1000") : BigDecimal.subtract(tiers[i]!.up_to!, lower)
          // Two quantities in (lower, up_to]: lower + width × k/1000 with k in 1..1000.
          const at = (k: number) => BigDecimal.sum(lower, BigDecimal.multiply(width, BigDecimal.make(BigInt(k), 3)))
          const [q1, q2] = a <= b ? [at(a), at(b)] : [at(b), at(a)]
          const r1 = rate({ model: "volume", tiers }, q1, cur)
          const r2 = rate({ model: "volume", tiers }, q2, cur)
          return r1.lines[0]!.tier === i && r2.lines[0]!.tier === i &&
            BigDecimal.lessThanOrEqualTo(r1.unrounded, r2.unrounded) &&
            BigDecimal.lessThanOrEqualTo(r1.amount, r2.amount)
        }
      )
    )
  })

  it("package: the price is ⌈quantity / size⌉ packages × the package price", () => {
    fc.assert(
      fc.property(price, fc.integer({ min: 1, max: 10_000 }), quantity, currency, (p, size, q, cur) => {
        const rating = rate({ model: "package", unit_price: p, package_size: size }, q, cur)
        if (BigDecimal.isZero(q)) return rating.lines.length === 0 && BigDecimal.isZero(rating.amount)
        const packages = rating.lines[0]!.quantity
        const n = BigDecimal.fromBigInt(BigInt(size))
        // ceil: the fewest whole packages that hold q — enough (n·k >= q), and one fewer would not be.
        return BigDecimal.isInteger(packages) &&
          BigDecimal.greaterThanOrEqualTo(BigDecimal.multiply(packages, n), q) &&
          BigDecimal.lessThan(BigDecimal.multiply(BigDecimal.subtract(packages, d("1")), n), q) &&
          eq(rating.unrounded, BigDecimal.multiply(packages, p)) &&
          eq(rating.amount, roundToMinorUnit(BigDecimal.multiply(packages, p), cur))
      })
    )
  })

  it("zero units cost zero in every model", () => {
    fc.assert(
      fc.property(anyModel, currency, (m, cur) => {
        const rating = rate(m, ZERO, cur)
        return rating.lines.length === 0 && BigDecimal.isZero(rating.amount) && rating.amount.scale === minorUnits(cur)
      })
    )
  })

  it("the amount has exactly the currency's digits and is within half a minor unit of the exact sum", () => {
    fc.assert(
      fc.property(anyModel, quantity, currency, (m, q, cur) => {
        const rating = rate(m, q, cur)
        const fraction = show(rating.amount).split(".")[1] ?? ""
        const halfUnit = BigDecimal.make(5n, minorUnits(cur) + 1)
        return fraction.length === minorUnits(cur) &&
          BigDecimal.lessThanOrEqualTo(BigDecimal.abs(BigDecimal.subtract(rating.amount, rating.unrounded)), halfUnit)
      })
    )
  })

  it("every line's amount is its quantity × unit price + flat fee", () => {
    fc.assert(
      fc.property(anyModel, quantity, (m, q) =>
        rate(m, q, "EUR").lines.every((l) =>
          eq(l.amount, BigDecimal.sum(BigDecimal.multiply(l.quantity, l.unit_price), l.flat_fee))
        ))
    )
  })
})

// Validation ----------------------------------------------------------------------------------

/** A SKU's pricing fields: its currency and its model, as API.md lists them. */
const SkuPricing = Schema.extend(Schema.Struct({ currency: CurrencySchema }), PriceModelSchema)

const pathOf = (path: ReadonlyArray<PropertyKey>) =>
  path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("")

/** The first problem with a SKU's pricing: from the schema (shapes) or from `validatePriceModel` (rules). */
const problemOf = (json: unknown): { field: string | undefined; message: string } | undefined =>
  Either.match(Schema.decodeUnknownEither(SkuPricing)(json), {
    onLeft: (error) => {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      return { field: pathOf(issue!.path), message: issue!.message }
    },
    onRight: (sku) =>
      Either.match(validatePriceModel(sku), {
        onLeft: (error) => ({ field: error.field, message: error.message }),
        onRight: () => undefined
      })
  })

const graduated = (tiers: Array<unknown>) => ({ currency: "EUR", model: "graduated", tiers })

describe("price model validation", () => {
  it.each([
    ["the example tiers", graduated(TIERS)],
    ["a single open tier", { currency: "EUR", model: "volume", tiers: [{ up_to: null, unit_price: "1" }] }],
    ["fractional bounds", graduated([{ up_to: 0.5, unit_price: "0" }, { up_to: null, unit_price: "2.5" }])],
    ["a free per-unit price", { currency: "JPY", model: "per_unit", unit_price: "0" }],
    ["a package", { currency: "BHD", model: "package", unit_price: "1.250", package_size: 10 }]
  ])("accepts %s", (_, json) => {
    expect(problemOf(json)).toBeUndefined()
  })

  it.each([
    ["no tiers", graduated([]), "tiers", "must have at least one tier"],
    [
      "overlapping tiers",
      graduated([{ up_to: 100, unit_price: "0.10" }, { up_to: 100, unit_price: "0.08" }, { up_to: null, unit_price: "0.05" }]),
      "tiers[1].up_to",
      "must be greater than the previous tier's up_to (100)"
    ],
    [
      "unordered tiers",
      graduated([{ up_to: 1000, unit_price: "0.10" }, { up_to: 100, unit_price: "0.08" }, { up_to: null, unit_price: "0.05" }]),
      "tiers[1].up_to",
      "must be greater than the previous tier's up_to (1000)"
    ],
    [
      "an open tier before the last",
      graduated([{ up_to: null, unit_price: "0.10" }, { up_to: 100, unit_price: "0.08" }]),
      "tiers[0].up_to",
      "may be null (open) only in the last tier"
    ],
    [
      "a closed last tier",
      graduated([{ up_to: 100, unit_price: "0.10" }, { up_to: 1000, unit_price: "0.08" }]),
      "tiers[1].up_to",
      "must be null: the last tier is open"
    ],
    [
      "a bound of zero",
      graduated([{ up_to: 0, unit_price: "0.10" }, { up_to: null, unit_price: "0.08" }]),
      "tiers[0].up_to",
      "must be greater than 0"
    ],
    [
      "a negative tier price",
      graduated([{ up_to: 100, unit_price: "0.10" }, { up_to: null, unit_price: "-0.08" }]),
      "tiers[1].unit_price",
      "must not be negative"
    ],
    [
      "a negative flat fee",
      graduated([{ up_to: 100, unit_price: "0.10", flat_fee: "-5" }, { up_to: null, unit_price: "0.08" }]),
      "tiers[0].flat_fee",
      "must not be negative"
    ],
    ["a negative unit price", { currency: "EUR", model: "per_unit", unit_price: "-0.01" }, "unit_price", "must not be negative"],
    [
      "a fractional package size",
      { currency: "EUR", model: "package", unit_price: "9.00", package_size: 2.5 },
      "package_size",
      "must be a positive integer"
    ],
    [
      "a package size of zero",
      { currency: "EUR", model: "package", unit_price: "9.00", package_size: 0 },
      "package_size",
      "must be a positive integer"
    ],
    [
      "an unknown currency",
      { currency: "XYZ", model: "per_unit", unit_price: "1.00" },
      "currency",
      "is not a supported ISO 4217 currency code"
    ],
    [
      "a currency in lower case",
      { currency: "eur", model: "per_unit", unit_price: "1.00" },
      "currency",
      "is not a supported ISO 4217 currency code"
    ],
    [
      "a malformed decimal string",
      graduated([{ up_to: 100, unit_price: "0.10" }, { up_to: null, unit_price: "1e-2" }]),
      "tiers[1].unit_price",
      "must be a decimal string such as \"12.50\""
    ],
    [
      "a price given as a JSON number",
      { currency: "EUR", model: "per_unit", unit_price: 0.1 },
      "unit_price",
      "not a JSON number"
    ],
    [
      "a bound given as a string",
      graduated([{ up_to: "100", unit_price: "0.10" }, { up_to: null, unit_price: "0.08" }]),
      "tiers[0].up_to",
      "must be a number, or null for the open last tier"
    ]
  ])("rejects %s, naming %s", (_, json, field, message) => {
    const found = problemOf(json)
    expect(found?.field).toBe(field)
    expect(found?.message).toContain(message)
  })

  it("refuses to rate an invalid model or a negative quantity", () => {
    const closed: PriceModel = { model: "volume", tiers: [{ up_to: d("10"), unit_price: d("1") }] }
    expect(() => rate(closed, d("11"), "EUR")).toThrow("tiers[0].up_to")
    expect(() => rate({ model: "per_unit", unit_price: d("1") }, d("-1"), "EUR")).toThrow("negative quantity")
  })
})

// Thresholds ----------------------------------------------------------------------------------

describe("thresholds", () => {
  it.each([
    // thresholds, before, after, crossed
    [[100, 500, 1000], "0", "99.9", []],
    [[100, 500, 1000], "0", "100", [100]], // reaching a threshold crosses it
    [[100, 500, 1000], "100", "499", []], // starting on one does not cross it again
    [[1000, 100, 500], "50", "1000", [100, 500, 1000]], // sorted
    [[100, 500, 100], "0", "600", [100, 500]], // each value once
    [[0.5, 1.5], "0.4", "1.5", [0.5, 1.5]], // fractional usage
    [[100, 500], "600", "400", []] // usage that went down crosses nothing
  ])("%j from %s to %s crosses %j", (thresholds, before, after, crossed) => {
    expect(crossedThresholds(thresholds, d(before), d(after))).toEqual(crossed)
  })

  it("takes BigDecimal thresholds too", () => {
    expect(crossedThresholds([d("2.5"), d("1.25")], d("1"), d("3")).map(show)).toEqual(["1.25", "2.5"])
  })

  it("crossing in steps finds each threshold exactly once", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 10 }),
        fc.array(decimal(1000n, 1), { maxLength: 20 }),
        (thresholds, steps) => {
          let usage = ZERO
          const seen: Array<number> = []
          for (const step of steps) {
            const next = BigDecimal.sum(usage, step)
            seen.push(...crossedThresholds(thresholds, usage, next))
            usage = next
          }
          const expected = thresholds.filter((t) => BigDecimal.lessThanOrEqualTo(BigDecimal.unsafeFromNumber(t), usage))
          return seen.length === expected.length && expected.every((t) => seen.includes(t))
        }
      )
    )
  })

  it.each([
    [[100, 0], "thresholds[1]", "must be greater than 0"],
    [[100, -5], "thresholds[1]", "must be greater than 0"],
    [[100, 500, 100], "thresholds[2]", "must not repeat an earlier threshold"],
    [[Number.NaN], "thresholds[0]", "must be a finite number"]
  ])("rejects %j, naming %s", (thresholds, field, message) => {
    const error = Either.flip(validateThresholds(thresholds)).pipe(Either.getOrThrow)
    expect(error.field).toBe(field)
    expect(error.message).toBe(message)
  })
})
