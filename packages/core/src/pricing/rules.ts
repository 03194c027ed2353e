import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { priceLimitProblem, priceProblem, validatePriceModel } from "../catalog/pricing.js"
import { ValidationError } from "../shared/errors.js"
import { type Currency, minorUnits, ROUNDING_MODE, roundToMinorUnit } from "../shared/money.js"
import { type PriceRounding, PriceRule, type PriceRuleInput } from "./model.js"

/**
 * The arithmetic of one rule over a plan's price, and the checks of rules as sent. The
 * resolution down the channel runs in SQL (migration 0028 `price_list_apply`), which does the
 * same: these functions are its specification and are unit-tested against the worked example.
 */

const HUNDRED = BigDecimal.make(100n, 0)
const NINETY_NINE_CENTS = BigDecimal.make(99n, 2)
const NINETY_NINE = BigDecimal.make(99n, 0)

/**
 * Up to the next amount ending in .99 (8.40 -> 8.99, 8.99 stays, 9.00 -> 9.99); ...99 without
 * decimals. A free price stays free: 0.00 (a fixed 0, a 100 % discount) is not 0.99.
 */
export const roundUpToNinetyNine = (amount: BigDecimal.BigDecimal, currency: Currency): BigDecimal.BigDecimal => {
  const digits = minorUnits(currency)
  if (BigDecimal.isZero(amount)) return BigDecimal.scale(amount, digits)
  if (digits === 0) {
    const hundreds = BigDecimal.ceil(BigDecimal.unsafeDivide(BigDecimal.subtract(amount, NINETY_NINE), HUNDRED))
    return BigDecimal.sum(BigDecimal.multiply(hundreds, HUNDRED), NINETY_NINE)
  }
  const whole = BigDecimal.ceil(BigDecimal.subtract(amount, NINETY_NINE_CENTS))
  return BigDecimal.scale(BigDecimal.sum(whole, NINETY_NINE_CENTS), digits)
}

/** The rounding rule of a list: half-up to the minor unit (money.ts), then `.99` when asked. */
export const roundPrice = (amount: BigDecimal.BigDecimal, rounding: PriceRounding, currency: Currency) => {
  const cents = roundToMinorUnit(amount, currency)
  return rounding === "ninety_nine" ? roundUpToNinetyNine(cents, currency) : cents
}

/** A percentage rule's factor over 100: markup 20 -> 120, discount 30 -> 70. */
const percentOf = (base: BigDecimal.BigDecimal, type: "markup_percent" | "discount_percent", percent: BigDecimal.BigDecimal) =>
  BigDecimal.unsafeDivide(
    BigDecimal.multiply(base, type === "markup_percent" ? BigDecimal.sum(HUNDRED, percent) : BigDecimal.subtract(HUNDRED, percent)),
    HUNDRED
  )

/**
 * A plan's price under a rule, `base` being what the rule's owner buys at: fixed 11.99 is 11.99;
 * discount 30 over 10.00 is 7.00; markup 20 over 7.00 is 8.40, 8.99 with `ninety_nine`.
 */
export const applyRule = (
  base: BigDecimal.BigDecimal,
  rule: Pick<PriceRule, "type" | "value" | "rounding">,
  currency: Currency
): BigDecimal.BigDecimal => {
  if (rule.value === null) throw new RangeError("a plan's price comes from a rule with a value, not tiers")
  const exact = rule.type === "fixed" ? rule.value : percentOf(base, rule.type, rule.value)
  return roundPrice(exact, rule.rounding, currency)
}

/** Usage prices keep up to this many decimals through percentages, so a chain of them over 0.015 stays exact. */
export const USAGE_PRICE_DECIMALS = 6

/**
 * A usage price under a percentage: half-up to 6 decimals, written without zeros past the
 * currency's digits (0.015 + 20 % = 0.018; 0.10 - 30 % = 0.07).
 */
export const scaleUsagePrice = (
  base: BigDecimal.BigDecimal,
  type: "markup_percent" | "discount_percent",
  percent: BigDecimal.BigDecimal,
  currency: Currency
) => {
  const exact = BigDecimal.normalize(BigDecimal.round(percentOf(base, type, percent), { scale: USAGE_PRICE_DECIMALS, mode: ROUNDING_MODE }))
  return BigDecimal.scale(exact, Math.max(exact.scale, minorUnits(currency)))
}

// Validation ---------------------------------------------------------------------------------------

/**
 * A markup is at most 1000 % (x 11): three tiers of it over the largest price (catalog/pricing.ts
 * MAX_PRICE_DIGITS, 12 digits) make 16 digits, which an amount (30) holds with any quantity.
 */
const MAX_MARKUP = BigDecimal.make(1000n, 0)

const ruleProblem = (rule: PriceRuleInput, at: string): Option.Option<ValidationError> => {
  const fail = (field: string, message: string) => Option.some(ValidationError.of(`${at}.${field}`, message))
  const targets = [rule.plan_id, rule.sku_id, rule.product_id].filter((t) => t !== undefined).length + (rule.all === true ? 1 : 0)
  if (targets !== 1) return fail("plan_id", "name exactly one of plan_id, sku_id, product_id or all: true")
  if (rule.all === false) return fail("all", "must be true when given")
  if (rule.tiers !== undefined) {
    if (rule.value !== undefined) return fail("value", "give value or tiers, not both")
    if (rule.type !== "fixed") return fail("tiers", "tiers are fixed prices: type must be fixed")
    if (rule.sku_id === undefined) return fail("tiers", "tiers price a usage SKU: name its sku_id")
    const tiered = validatePriceModel({ model: "graduated", tiers: rule.tiers })
    if (Either.isLeft(tiered)) return fail(tiered.left.field ?? "tiers", tiered.left.message)
    const tooLarge = priceLimitProblem({ model: "graduated", tiers: rule.tiers })
    if (Option.isSome(tooLarge)) return fail(tooLarge.value.field ?? "tiers", tooLarge.value.message)
    return Option.none()
  }
  if (rule.value === undefined) return fail("value", "is required (a price for fixed, a percentage otherwise), or tiers")
  if (BigDecimal.isNegative(rule.value)) return fail("value", "must not be negative")
  if (rule.type === "fixed") {
    // A fixed price is bounded like the catalog's prices, so a chain over it fits in an amount.
    const tooLarge = priceProblem("value", rule.value)
    if (Option.isSome(tooLarge)) return fail("value", tooLarge.value.message)
  }
  if (rule.type === "discount_percent" && BigDecimal.greaterThan(rule.value, HUNDRED)) {
    return fail("value", "a discount is a percentage from 0 to 100")
  }
  if (rule.type === "markup_percent" && BigDecimal.greaterThan(rule.value, MAX_MARKUP)) {
    return fail("value", "a markup is a percentage from 0 to 1000")
  }
  if (rule.sku_id !== undefined && rule.rounding === "ninety_nine") {
    return fail("rounding", "usage prices are not rounded to .99: use cent")
  }
  return Option.none()
}

/** The rules as stored, or the first problem with its field (`rules[1].value`). */
export const validateRules = (rules: ReadonlyArray<PriceRuleInput>): Either.Either<ReadonlyArray<PriceRule>, ValidationError> => {
  if (rules.length > 500) return Either.left(ValidationError.of("rules", "at most 500 rules a list"))
  const seen = new Set<string>()
  const stored: Array<PriceRule> = []
  for (const [i, rule] of rules.entries()) {
    const problem = ruleProblem(rule, `rules[${i}]`)
    if (Option.isSome(problem)) return Either.left(problem.value)
    const target = rule.plan_id !== undefined ? `plan:${rule.plan_id}` : rule.sku_id !== undefined ? `sku:${rule.sku_id}`
      : rule.product_id !== undefined ? `product:${rule.product_id}` : "all"
    if (seen.has(target)) return Either.left(ValidationError.of(`rules[${i}]`, `a second rule for the same target (${target})`))
    seen.add(target)
    stored.push(new PriceRule({
      plan_id: rule.plan_id ?? null,
      sku_id: rule.sku_id ?? null,
      product_id: rule.product_id ?? null,
      all: rule.all === true,
      type: rule.type,
      value: rule.value ?? null,
      tiers: rule.tiers ?? null,
      rounding: rule.rounding
    }))
  }
  return Either.right(stored)
}
