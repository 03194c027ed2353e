import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { ValidationError } from "../shared/errors.js"

/**
 * Usage thresholds of a SKU (`thresholds` [number] in API.md): an event is raised when a
 * period's running usage crosses one. This file only answers "which ones did this step cross";
 * raising each at most once per threshold per period is the caller's job (the outbox).
 */

export type ThresholdValue = BigDecimal.BigDecimal | number

const toDecimal = (t: ThresholdValue): BigDecimal.BigDecimal =>
  BigDecimal.isBigDecimal(t) ? t : BigDecimal.unsafeFromNumber(t)

/**
 * The thresholds `t` with `before < t <= after`, ascending, each value once: usage going from
 * `before` to `after` crossed them. Reaching a threshold exactly counts as crossing it; starting on
 * one does not (it was crossed by the step that reached it). Nothing when usage did not grow.
 * Returns the given elements, so numbers come back as numbers.
 */
export const crossedThresholds = <T extends ThresholdValue>(
  thresholds: ReadonlyArray<T>,
  before: BigDecimal.BigDecimal,
  after: BigDecimal.BigDecimal
): Array<T> => {
  const crossed = thresholds
    .map((value) => ({ value, decimal: toDecimal(value) }))
    .filter(({ decimal }) => BigDecimal.lessThan(before, decimal) && BigDecimal.lessThanOrEqualTo(decimal, after))
    .sort((a, b) => BigDecimal.Order(a.decimal, b.decimal))
  return crossed
    .filter((t, i) => i === 0 || !BigDecimal.equals(t.decimal, crossed[i - 1]!.decimal))
    .map(({ value }) => value)
}

/**
 * A SKU's thresholds are finite, positive (usage starts at 0, so a threshold at 0 is never
 * crossed) and distinct. Fails with the first problem, its field `thresholds[i]`.
 */
export const validateThresholds = <T extends ThresholdValue>(
  thresholds: ReadonlyArray<T>
): Either.Either<ReadonlyArray<T>, ValidationError> => {
  const seen: Array<BigDecimal.BigDecimal> = []
  for (const [i, value] of thresholds.entries()) {
    const field = `thresholds[${i}]`
    const decimal = BigDecimal.isBigDecimal(value) ? Option.some(value) : BigDecimal.safeFromNumber(value)
    if (Option.isNone(decimal)) return Either.left(ValidationError.of(field, "must be a finite number"))
    if (!BigDecimal.isPositive(decimal.value)) return Either.left(ValidationError.of(field, "must be greater than 0"))
    if (seen.some((s) => BigDecimal.equals(s, decimal.value))) {
      return Either.left(ValidationError.of(field, "must not repeat an earlier threshold"))
    }
    seen.push(decimal.value)
  }
  return Either.right(thresholds)
}
