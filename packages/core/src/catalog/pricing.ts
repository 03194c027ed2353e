import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ValidationError } from "../shared/errors.js"
import { type Currency, DecimalString, formatDecimal, integerDigitsBound, roundToMinorUnit } from "../shared/money.js"

/**
 * How a SKU turns a quantity into an amount. The JSON form is the SKU's own fields (API.md):
 * `model`, `unit_price`, `package_size`, `tiers` [{`up_to` (null = open), `unit_price`, `flat_fee`?}],
 * prices as decimal strings in the SKU's currency, tier bounds as JSON numbers (they are
 * quantities, not money). The schemas check shapes only; `validatePriceModel` checks the rules
 * and names the field at fault. Quantities are `BigDecimal` (1.5 GB is a quantity) and never
 * negative.
 *
 * Tiers: tier i holds the quantities above the previous tier's `up_to` (0 for the first) up to
 * and including its own `up_to`; the last tier is open (`up_to: null`). With bounds 100 and 1000:
 * tier 0 is (0, 100], tier 1 is (100, 1000], tier 2 is (1000, ∞).
 */

// Schemas -------------------------------------------------------------------------------------

const BOUND_MESSAGE = "must be a number, or null for the open last tier"

/**
 * A tier bound: a JSON number, exact as written (`safeFromNumber` reads its shortest spelling),
 * with no negative scale (1e21 is 1000000000000000000000), as the database's numeric holds it.
 */
const TierBound = Schema.transformOrFail(
  Schema.Number.annotations({ message: () => BOUND_MESSAGE }),
  Schema.BigDecimalFromSelf,
  {
    strict: true,
    decode: (n, _, ast) =>
      Option.match(BigDecimal.safeFromNumber(n), {
        onNone: () => ParseResult.fail(new ParseResult.Type(ast, n, BOUND_MESSAGE)),
        onSome: (bound) => ParseResult.succeed(bound.scale < 0 ? BigDecimal.scale(bound, 0) : bound)
      }),
    encode: (n) => ParseResult.succeed(BigDecimal.unsafeToNumber(n))
  }
)

export const Tier = Schema.Struct({
  /** The last quantity in the tier (inclusive); null for the open last tier. */
  up_to: Schema.NullOr(TierBound),
  unit_price: DecimalString,
  /** Charged once when any quantity falls in the tier (graduated) or the tier is reached (volume). */
  flat_fee: Schema.optionalWith(DecimalString, { exact: true })
}).annotations({ identifier: "Tier" })
export type Tier = typeof Tier.Type

/** Every unit at one price. */
export const PerUnitPrice = Schema.Struct({ model: Schema.Literal("per_unit"), unit_price: DecimalString })

/** Each tier prices the units inside it, like income tax brackets. */
export const GraduatedPrice = Schema.Struct({ model: Schema.Literal("graduated"), tiers: Schema.Array(Tier) })

/** The tier the total quantity reaches prices every unit. */
export const VolumePrice = Schema.Struct({ model: Schema.Literal("volume"), tiers: Schema.Array(Tier) })

/** `unit_price` per block of `package_size` units, rounded up to whole blocks. */
export const PackagePrice = Schema.Struct({
  model: Schema.Literal("package"),
  unit_price: DecimalString,
  package_size: Schema.Number
})

export const PriceModel = Schema.Union(PerUnitPrice, GraduatedPrice, VolumePrice, PackagePrice).annotations({
  identifier: "PriceModel"
})
export type PriceModel = typeof PriceModel.Type

// Validation ----------------------------------------------------------------------------------

const ZERO = BigDecimal.make(0n, 0)

const problem = (field: string, message: string) => Either.left(ValidationError.of(field, message))

const nonNegative = (field: string, value: BigDecimal.BigDecimal) =>
  BigDecimal.isNegative(value) ? Option.some(ValidationError.of(field, "must not be negative")) : Option.none()

const tiersProblem = (tiers: ReadonlyArray<Tier>): Option.Option<ValidationError> => {
  if (tiers.length === 0) return Option.some(ValidationError.of("tiers", "must have at least one tier"))
  let previous: BigDecimal.BigDecimal | null = null
  for (const [i, tier] of tiers.entries()) {
    const at = `tiers[${i}]`
    const last = i === tiers.length - 1
    if (tier.up_to === null) {
      if (!last) return Option.some(ValidationError.of(`${at}.up_to`, "may be null (open) only in the last tier"))
    } else if (last) {
      return Option.some(
        ValidationError.of(`${at}.up_to`, "must be null: the last tier is open, so every quantity has a price")
      )
    } else if (!BigDecimal.isPositive(tier.up_to)) {
      return Option.some(ValidationError.of(`${at}.up_to`, "must be greater than 0"))
    } else if (previous !== null && BigDecimal.lessThanOrEqualTo(tier.up_to, previous)) {
      return Option.some(
        ValidationError.of(
          `${at}.up_to`,
          `must be greater than the previous tier's up_to (${formatDecimal(previous)}): bounds strictly increase`
        )
      )
    }
    const price = nonNegative(`${at}.unit_price`, tier.unit_price)
    if (Option.isSome(price)) return price
    if (tier.flat_fee !== undefined) {
      const fee = nonNegative(`${at}.flat_fee`, tier.flat_fee)
      if (Option.isSome(fee)) return fee
    }
    previous = tier.up_to
  }
  return Option.none()
}

/**
 * Checks the rules the schemas cannot: tiers non-empty, bounds positive and strictly
 * increasing, only the last tier open and the last tier open, prices and fees not negative,
 * `package_size` a positive integer. Fails with the first problem, its `field` a path into the
 * SKU (`tiers[1].up_to`).
 */
export const validatePriceModel = (model: PriceModel): Either.Either<PriceModel, ValidationError> => {
  switch (model.model) {
    case "per_unit":
      return Option.match(nonNegative("unit_price", model.unit_price), {
        onNone: () => Either.right(model),
        onSome: Either.left
      })
    case "package": {
      if (!Number.isSafeInteger(model.package_size) || model.package_size < 1) {
        return problem("package_size", "must be a positive integer")
      }
      return Option.match(nonNegative("unit_price", model.unit_price), {
        onNone: () => Either.right(model),
        onSome: Either.left
      })
    }
    case "graduated":
    case "volume":
      return Option.match(tiersProblem(model.tiers), { onNone: () => Either.right(model), onSome: Either.left })
  }
}

// The largest price ---------------------------------------------------------------------------

/**
 * A price as entered (a plan's, a SKU's unit price, a tier's price or flat fee, a price list's
 * fixed value) has at most this many digits before the point: under 1,000,000,000,000 in any
 * currency. Money holds 30 (money.ts), and a price is multiplied before it is stored: by three
 * price-list markups of at most 1000 % (x 1331, 16 digits) and by an order's or a subscription's
 * quantity (at most 10 digits), which leaves four digits for sums of lines and tax.
 */
export const MAX_PRICE_DIGITS = 12
const PRICE = integerDigitsBound(MAX_PRICE_DIGITS, "a price")

/** What is wrong with a price as entered (negative, or too large), or none; `field` names it. */
export const priceProblem = (field: string, price: BigDecimal.BigDecimal): Option.Option<ValidationError> =>
  BigDecimal.isNegative(price)
    ? Option.some(ValidationError.of(field, "must not be negative"))
    : BigDecimal.greaterThanOrEqualTo(price, PRICE.bound)
    ? Option.some(ValidationError.of(field, PRICE.message))
    : Option.none()

/**
 * The prices of a model as entered, checked against the bound (`validatePriceModel` checks the
 * rest; `rate` does not check this, so a price resolved over the bound still rates).
 */
export const priceLimitProblem = (model: PriceModel): Option.Option<ValidationError> => {
  if (model.model === "per_unit" || model.model === "package") return priceProblem("unit_price", model.unit_price)
  for (const [i, tier] of model.tiers.entries()) {
    const price = priceProblem(`tiers[${i}].unit_price`, tier.unit_price)
    if (Option.isSome(price)) return price
    if (tier.flat_fee !== undefined) {
      const fee = priceProblem(`tiers[${i}].flat_fee`, tier.flat_fee)
      if (Option.isSome(fee)) return fee
    }
  }
  return Option.none()
}

// Rating --------------------------------------------------------------------------------------

/** One step of a rating: `amount` = `quantity` × `unit_price` + `flat_fee`, exact (unrounded). */
export interface RatingLine {
  /** The index in `tiers` that priced this line; null for `per_unit` and `package`. */
  readonly tier: number | null
  /** The usage units this line covers. */
  readonly units: BigDecimal.BigDecimal
  /** What `unit_price` multiplies: the units, or for `package` the number of packages. */
  readonly quantity: BigDecimal.BigDecimal
  readonly unit_price: BigDecimal.BigDecimal
  readonly flat_fee: BigDecimal.BigDecimal
  readonly amount: BigDecimal.BigDecimal
}

/** What a quantity costs and the tiers and quantities that produced it, for the invoice. */
export interface Rating {
  readonly currency: Currency
  readonly quantity: BigDecimal.BigDecimal
  /** Only lines that price some units: a zero quantity has none. */
  readonly lines: ReadonlyArray<RatingLine>
  /** The exact sum of the line amounts. */
  readonly unrounded: BigDecimal.BigDecimal
  /** `unrounded` rounded once to the currency's minor unit (`roundToMinorUnit`). */
  readonly amount: BigDecimal.BigDecimal
}

const line = (
  tier: number | null,
  units: BigDecimal.BigDecimal,
  quantity: BigDecimal.BigDecimal,
  unit_price: BigDecimal.BigDecimal,
  flat_fee: BigDecimal.BigDecimal = ZERO
): RatingLine => ({
  tier,
  units,
  quantity,
  unit_price,
  flat_fee,
  amount: BigDecimal.sum(BigDecimal.multiply(quantity, unit_price), flat_fee)
})

const graduatedLines = (tiers: ReadonlyArray<Tier>, quantity: BigDecimal.BigDecimal): Array<RatingLine> => {
  const lines: Array<RatingLine> = []
  let lower = ZERO
  for (const [i, tier] of tiers.entries()) {
    if (BigDecimal.lessThanOrEqualTo(quantity, lower)) break
    const upper = tier.up_to === null ? quantity : BigDecimal.min(quantity, tier.up_to)
    const inTier = BigDecimal.subtract(upper, lower)
    lines.push(line(i, inTier, inTier, tier.unit_price, tier.flat_fee))
    if (tier.up_to === null) break
    lower = tier.up_to
  }
  return lines
}

const volumeLines = (tiers: ReadonlyArray<Tier>, quantity: BigDecimal.BigDecimal): Array<RatingLine> => {
  const i = tiers.findIndex((tier) => tier.up_to === null || BigDecimal.lessThanOrEqualTo(quantity, tier.up_to))
  const tier = tiers[i]!
  return [line(i, quantity, quantity, tier.unit_price, tier.flat_fee)]
}

/** ⌈quantity / size⌉ in whole packages, by integer arithmetic on the decimal's digits. */
export const packagesFor = (quantity: BigDecimal.BigDecimal, size: number): BigDecimal.BigDecimal => {
  const q = BigDecimal.normalize(quantity)
  const numerator = q.scale < 0 ? q.value * 10n ** BigInt(-q.scale) : q.value
  const denominator = BigInt(size) * 10n ** BigInt(Math.max(q.scale, 0))
  return BigDecimal.make((numerator + denominator - 1n) / denominator, 0)
}

const linesFor = (model: PriceModel, quantity: BigDecimal.BigDecimal): Array<RatingLine> => {
  switch (model.model) {
    case "per_unit":
      return [line(null, quantity, quantity, model.unit_price)]
    case "graduated":
      return graduatedLines(model.tiers, quantity)
    case "volume":
      return volumeLines(model.tiers, quantity)
    case "package":
      return [line(null, quantity, packagesFor(quantity, model.package_size), model.unit_price)]
  }
}

/** Models `rate` has checked: a billing run rates one SKU's model thousands of times. */
const validModels = new WeakSet<PriceModel>()

/**
 * Prices `quantity` units of a SKU in `currency`. Exact decimal arithmetic throughout; the
 * total is rounded once, at the end, by the rule in money.ts.
 *
 * The model and quantity are validated where they enter (`validatePriceModel` when the SKU is
 * saved, the usage schemas when a quantity is recorded), so an invalid one here is a bug and
 * throws a `RangeError` rather than billing a wrong amount.
 */
export const rate = (model: PriceModel, quantity: BigDecimal.BigDecimal, currency: Currency): Rating => {
  if (BigDecimal.isNegative(quantity)) {
    throw new RangeError(`cannot rate a negative quantity (${formatDecimal(quantity)})`)
  }
  if (!validModels.has(model)) {
    Either.getOrThrowWith(
      validatePriceModel(model),
      (error) => new RangeError(`cannot rate an invalid price model: ${error.field} ${error.message}`)
    )
    validModels.add(model)
  }
  const lines = BigDecimal.isZero(quantity) ? [] : linesFor(model, quantity)
  const unrounded = BigDecimal.sumAll(lines.map((l) => l.amount))
  return { currency, quantity, lines, unrounded, amount: roundToMinorUnit(unrounded, currency) }
}
