import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * Money in the core: a `BigDecimal` amount and an ISO 4217 currency, never a JS `number`. On the
 * wire the amount is a decimal string (`{ "amount": "12.50", "currency": "EUR" }`), in Postgres
 * a `NUMERIC`. Amounts keep the digits they were given: a unit price may have more digits than
 * the currency's minor unit ("0.015 EUR" per call); only a charge is rounded, once, by
 * `roundToMinorUnit` below.
 */

// Currencies ----------------------------------------------------------------------------------

/** The supported ISO 4217 codes and their minor units (digits after the point). */
export const MINOR_UNITS = {
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  INR: 2,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PLN: 2,
  SEK: 2,
  SGD: 2,
  TND: 3,
  USD: 2,
  ZAR: 2
} as const satisfies Record<string, 0 | 2 | 3>

export type Currency = keyof typeof MINOR_UNITS

export const CURRENCIES = Object.keys(MINOR_UNITS).sort() as ReadonlyArray<Currency>

// `Object.hasOwn`, not `in`: "toString" is not a currency.
export const isCurrency = (code: string): code is Currency => Object.hasOwn(MINOR_UNITS, code)

/** How many digits the currency has after the point: 2 for EUR, 0 for JPY, 3 for BHD. */
export const minorUnits = (currency: Currency): number => MINOR_UNITS[currency]

const CURRENCY_MESSAGE = "is not a supported ISO 4217 currency code (upper case, e.g. \"EUR\")"

/** A supported ISO 4217 code in upper case; anything else fails with one message. */
export const Currency = Schema.String.annotations({ message: () => CURRENCY_MESSAGE })
  .pipe(Schema.filter(isCurrency, { message: () => CURRENCY_MESSAGE }))
  .annotations({ identifier: "Currency", jsonSchema: { type: "string", enum: CURRENCIES } })

// Decimal strings -----------------------------------------------------------------------------

// An optional "-", an integer part without leading zeros, an optional fraction with at least one
// digit. No "+", no exponent, no spaces, no "12." or ".5": one spelling per number, the one
// Postgres prints for NUMERIC.
const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/
const MAX_INTEGER_DIGITS = 30
const MAX_FRACTION_DIGITS = 20

const DIGITS_MESSAGE = `must have at most ${MAX_INTEGER_DIGITS} digits before the point and ${MAX_FRACTION_DIGITS} after it`

/**
 * Whether `n` has no more digits than a decimal string may carry: an amount with more is written,
 * but never read back (every amount stored is read through `DecimalString`). A price computed from
 * prices (a price list's markup, a price times a quantity) is checked with this before it is kept.
 */
export const fitsDecimalString = (n: BigDecimal.BigDecimal): boolean => {
  // As `formatDecimal` writes it: `scale` digits after the point, |value| / 10^scale before it.
  const magnitude = n.value < 0n ? -n.value : n.value
  const bound = MAX_INTEGER_DIGITS + n.scale
  return n.scale <= MAX_FRACTION_DIGITS && (bound < 0 ? magnitude === 0n : magnitude < 10n ** BigInt(bound))
}

const DECIMAL_MESSAGE =
  "must be a decimal string such as \"12.50\": digits, an optional leading \"-\" and an optional \".\" " +
  "followed by digits (no exponent, no \"+\", no spaces)"

/** Parses a decimal string, or says what is wrong with it (the message fits after a field name). */
export const parseDecimal = (text: string): Either.Either<BigDecimal.BigDecimal, string> => {
  if (!DECIMAL.test(text)) return Either.left(DECIMAL_MESSAGE)
  const [integer = "", fraction = ""] = text.replace(/^-/, "").split(".")
  if (integer.length > MAX_INTEGER_DIGITS || fraction.length > MAX_FRACTION_DIGITS) return Either.left(DIGITS_MESSAGE)
  return Either.right(BigDecimal.make(BigInt(text.replace(".", "")), fraction.length))
}

/**
 * Writes a `BigDecimal` in plain positional notation with the digits it carries: "12.50" stays
 * "12.50", 1.2e3 is "1200". Unlike `BigDecimal.format` it never strips zeros or uses an exponent.
 */
export const formatDecimal = (n: BigDecimal.BigDecimal): string => {
  if (n.scale <= 0) return (n.value * 10n ** BigInt(-n.scale)).toString()
  const negative = n.value < 0n
  const digits = (negative ? -n.value : n.value).toString().padStart(n.scale + 1, "0")
  const point = digits.length - n.scale
  return `${negative ? "-" : ""}${digits.slice(0, point)}.${digits.slice(point)}`
}

/**
 * A `BigDecimal` written as a decimal string. A JSON number is refused: `0.1` has already been
 * through a binary float by the time the parser hands it over.
 */
export const DecimalString = Schema.transformOrFail(
  Schema.String.annotations({
    message: (issue) =>
      typeof issue.actual === "number"
        ? "must be a decimal string such as \"12.50\", not a JSON number (numbers lose precision)"
        : "must be a decimal string such as \"12.50\""
  }),
  Schema.BigDecimalFromSelf,
  {
    strict: true,
    decode: (text, _, ast) =>
      Either.match(parseDecimal(text), {
        onLeft: (message) => ParseResult.fail(new ParseResult.Type(ast, text, message)),
        onRight: ParseResult.succeed
      }),
    encode: (n) => ParseResult.succeed(formatDecimal(n))
  }
).annotations({
  identifier: "DecimalString",
  jsonSchema: { type: "string", pattern: DECIMAL.source, examples: ["12.50", "0.015", "-3"] }
})

// Money ---------------------------------------------------------------------------------------

/**
 * `{ "amount": "12.50", "currency": "EUR" }`. Any sign and any number of digits: a credit is
 * negative and a unit price may be finer than a cent, so positivity and precision are checked
 * where they matter, not here.
 */
export const Money = Schema.Struct({ amount: DecimalString, currency: Currency }).annotations({ identifier: "Money" })
export type Money = typeof Money.Type

export const money = (amount: BigDecimal.BigDecimal, currency: Currency): Money => ({ amount, currency })

export const zeroMoney = (currency: Currency): Money => money(BigDecimal.make(0n, minorUnits(currency)), currency)

/** Adding two currencies together is a bug upstream (an invoice has one currency), not a user error. */
const requireSameCurrency = (a: Money, b: Money): void => {
  if (a.currency !== b.currency) throw new RangeError(`cannot combine ${a.currency} with ${b.currency}`)
}

/** Exact sum. Throws a `RangeError` when the currencies differ. */
export const addMoney = (a: Money, b: Money): Money => {
  requireSameCurrency(a, b)
  return money(BigDecimal.sum(a.amount, b.amount), a.currency)
}

/** Exact sum of any number of amounts in `currency` (zero when empty). Throws on another currency. */
export const sumMoney = (items: Iterable<Money>, currency: Currency): Money => {
  let total = zeroMoney(currency)
  for (const item of items) total = addMoney(total, item)
  return total
}

/** Exact product with a quantity (a unit price times units); not rounded. */
export const multiplyMoney = (price: Money, quantity: BigDecimal.BigDecimal): Money =>
  money(BigDecimal.multiply(price.amount, quantity), price.currency)

// Rounding ------------------------------------------------------------------------------------

/**
 * THE rounding rule, the only place an amount loses digits: to the currency's minor unit,
 * half-up, i.e. a tie goes away from zero (12.345 EUR -> 12.35, -12.345 -> -12.35).
 *
 * Why half-up and not half-even (banker's):
 * - We round once per charge (one rating, one invoice line), never repeatedly, so the drift that
 *   banker's rounding cancels out over many roundings of the same sum does not build up here.
 * - It is what a customer checking an invoice expects and gets from a calculator or spreadsheet
 *   (`ROUND`), what accounting and VAT practice in our markets call commercial rounding, and what
 *   Postgres' `round(numeric, n)` does, so a report computed in SQL agrees with the core.
 * - Away from zero for negatives keeps a credit note the exact mirror of the invoice it reverses.
 */
export const ROUNDING_MODE = "half-from-zero" satisfies BigDecimal.RoundingMode

/** Rounds to the currency's minor unit; the result always carries exactly that many digits. */
export const roundToMinorUnit = (amount: BigDecimal.BigDecimal, currency: Currency): BigDecimal.BigDecimal => {
  const digits = minorUnits(currency)
  // No more digits than the minor unit (a price times a quantity, mostly): nothing to round, and
  // rounding is the dearest step of a run's recurring lines.
  if (amount.scale <= digits) return BigDecimal.scale(amount, digits)
  return BigDecimal.scale(BigDecimal.round(amount, { scale: digits, mode: ROUNDING_MODE }), digits)
}

export const roundMoney = (m: Money): Money => money(roundToMinorUnit(m.amount, m.currency), m.currency)

/**
 * Money paid, refunded or credited in one go has at most this many digits before the point: under
 * 1,000,000,000,000,000 in any currency. What a customer holds (its balance, amount due and credit
 * available, per currency) is a sum of such amounts and of invoices, read back through
 * `DecimalString` (30 digits): it would take 10^15 of them at the bound to pass it.
 */
export const MAX_MOVED_DIGITS = 15

/**
 * A bound of `digits` digits before the point on what `what` names (a price, money moved, a
 * period's usage): 10^digits, and the message of a value at or past it (`reason` is its second half).
 */
export const integerDigitsBound = (digits: number, what: string) => {
  const bound = BigDecimal.make(10n ** BigInt(digits), 0)
  const reason = `${what} is less than ${formatDecimal(bound)}`
  return { bound, reason, message: `must have at most ${digits} digits before the point: ${reason}` } as const
}

const MOVED = integerDigitsBound(MAX_MOVED_DIGITS, "money paid, refunded or credited")

/**
 * What is wrong with `amount` as money to pay, refund or credit in `currency` (it must be above
 * zero, less than 10^15 (`MAX_MOVED_DIGITS`), with at most the currency's digits after the point),
 * or undefined when nothing is.
 */
/** Why an amount of money moved (either way) is too large to add up safely; undefined when it is not. */
export const movedBoundProblem = (amount: BigDecimal.BigDecimal): string | undefined =>
  BigDecimal.greaterThanOrEqualTo(BigDecimal.abs(amount), MOVED.bound) ? MOVED.message : undefined

export const amountToMoveProblem = (amount: BigDecimal.BigDecimal, currency: Currency): string | undefined => {
  if (!BigDecimal.isPositive(amount)) return "must be greater than zero"
  const beyond = movedBoundProblem(amount)
  if (beyond !== undefined) return beyond
  if (!BigDecimal.equals(roundToMinorUnit(amount, currency), amount)) {
    return `must have at most ${minorUnits(currency)} digits after the point in ${currency}`
  }
  return undefined
}

/** The amount rounded and written with exactly the currency's digits: "12.50", "100" (JPY), "1.250" (BHD). */
export const formatAmount = (amount: BigDecimal.BigDecimal, currency: Currency): string =>
  formatDecimal(roundToMinorUnit(amount, currency))
