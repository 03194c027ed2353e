import * as BigDecimal from "effect/BigDecimal"
import * as fc from "effect/FastCheck"

/**
 * Arbitraries for property tests of price models (catalog/pricing.ts), shared by the core's
 * rating tests and the database-rating test: a decimal in its many spellings, and tiers that are
 * valid by construction (positive, strictly increasing bounds, the last one open).
 */

/** Non-negative decimals up to `max` units of the last digit, with 0 to `maxScale` digits after the point. */
export const decimal = (max: bigint, maxScale: number) =>
  fc.tuple(fc.bigInt({ min: 0n, max }), fc.integer({ min: 0, max: maxScale })).map(([value, scale]) =>
    BigDecimal.make(value, scale)
  )

/** Valid tiers priced by `price`: bounds are running sums of positive steps, the last tier open. */
export const validTiers = <P>(price: fc.Arbitrary<P>, maxLength: number) =>
  fc
    .array(
      fc.record({
        step: decimal(10n ** 5n, 2).filter(BigDecimal.isPositive),
        unit_price: price,
        flat_fee: fc.option(price, { nil: undefined })
      }),
      { minLength: 1, maxLength }
    )
    .map((raw) => {
      let bound = BigDecimal.make(0n, 0)
      return raw.map(({ flat_fee, step, unit_price }, i) => {
        bound = BigDecimal.sum(bound, step)
        const tier = { up_to: i === raw.length - 1 ? null : bound, unit_price }
        return flat_fee === undefined ? tier : { ...tier, flat_fee }
      })
    })
