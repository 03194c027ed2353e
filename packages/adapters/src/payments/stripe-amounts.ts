import { type Currency, isCurrency, minorUnits, type Money, money } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"

/**
 * Amounts as Stripe's API takes them: whole minor units of the currency, lower-case codes.
 * Stripe's minor units follow ISO 4217 for our currencies (JPY and KRW have none: 1500 JPY is
 * 1500), with two rules of its own: a three-decimal currency (BHD, JOD, KWD, OMR, TND) must end
 * in 0 (whole hundredths), and HUF charges must be whole forints.
 */

const THREE_DECIMAL = new Set(["BHD", "JOD", "KWD", "OMR", "TND"])

/** The smallest step Stripe charges in, in minor units. */
const stepOf = (currency: Currency): bigint => (THREE_DECIMAL.has(currency) ? 10n : currency === "HUF" ? 100n : 1n)

/** `amount` in Stripe's integer minor units, or why Stripe cannot charge it. */
export const toStripeAmount = (amount: Money): Either.Either<number, string> => {
  const digits = minorUnits(amount.currency)
  const scaled = BigDecimal.scale(amount.amount, digits)
  // Scaling never rounds here: amounts carry at most their currency's digits.
  if (!BigDecimal.equals(scaled, amount.amount)) {
    return Either.left(`${amount.currency} amounts have at most ${digits} digits after the point`)
  }
  const minor = scaled.value
  const step = stepOf(amount.currency)
  if (minor % step !== 0n) {
    return Either.left(`Stripe charges ${amount.currency} in steps of ${BigDecimal.format(BigDecimal.make(step, digits))}`)
  }
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return Either.left("the amount is too large for Stripe")
  return Either.right(Number(minor))
}

/** Stripe's integer minor units of `currency` (lower or upper case) as our money; none for a currency we do not keep. */
export const fromStripeAmount = (minor: number, currency: string): Money | undefined => {
  const code = currency.toUpperCase()
  if (!isCurrency(code) || !Number.isSafeInteger(minor)) return undefined
  return money(BigDecimal.make(BigInt(minor), minorUnits(code)), code)
}
