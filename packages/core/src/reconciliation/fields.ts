import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { type Currency, isCurrency, minorUnits, movedBoundProblem, parseDecimal, roundToMinorUnit } from "../shared/money.js"

/** The fields a statement's transactions share, read the same way from either format. */

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/

/**
 * A booking date or date-time as banks write it: `2026-11-20` (midnight UTC) or an ISO 8601
 * date-time (`2026-11-20T09:30:00+01:00`; without an offset it is read as UTC). None for anything
 * else, and for a day the month does not have.
 */
export const parseBookingTime = (text: string): Option.Option<DateTime.Utc> => {
  const trimmed = text.trim()
  if (DATE.test(trimmed)) {
    return DateTime.make(`${trimmed}T00:00:00Z`).pipe(
      Option.map(DateTime.toUtc),
      // 2026-02-30 would roll over into March.
      Option.filter((at) => DateTime.formatIso(at).slice(0, 10) === trimmed)
    )
  }
  if (DATE_TIME.test(trimmed)) {
    const zoned = /(Z|[+-]\d{2}:\d{2})$/.test(trimmed) ? trimmed : `${trimmed}Z`
    return Option.map(DateTime.make(zoned), DateTime.toUtc)
  }
  return Option.none()
}

/** A currency code as written in a statement, or what is wrong with it. */
export const parseCurrency = (text: string): Either.Either<Currency, string> => {
  const code = text.trim().toUpperCase()
  return isCurrency(code)
    ? Either.right(code)
    : Either.left(`${JSON.stringify(text.trim())} is not a supported ISO 4217 currency code (e.g. "EUR")`)
}

/** `+0100.` -> `100`, `-.5` -> `-0.5`: the spellings XML's decimal allows, written as `parseDecimal` reads them. */
const normalizeDecimal = (text: string): string => {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text)
  if (match === null || (match[2] === "" && (match[3] ?? "") === "")) return text
  const integer = match[2]!.replace(/^0+(?=\d)/, "") || "0"
  const fraction = match[3] ?? ""
  return `${match[1] === "-" ? "-" : ""}${integer}${fraction === "" ? "" : `.${fraction}`}`
}

/**
 * An amount as written in a statement (`1234.50`, `-20`, `+7.5`, `0100.`): a decimal with a
 * point, at most the currency's digits after it, not zero. Written back with exactly the
 * currency's digits.
 */
export const parseAmount = (text: string, currency: Currency): Either.Either<BigDecimal.BigDecimal, string> =>
  Either.flatMap(parseDecimal(normalizeDecimal(text.trim())), (amount) => {
    const rounded = roundToMinorUnit(amount, currency)
    if (!BigDecimal.equals(rounded, amount)) {
      return Either.left(`must have at most ${minorUnits(currency)} digits after the point in ${currency}`)
    }
    if (BigDecimal.isZero(amount)) return Either.left("must not be zero")
    // A credit's money is paid in, a debit's paid back: bounded as any money moved (money.ts).
    const beyond = movedBoundProblem(amount)
    if (beyond !== undefined) return Either.left(beyond)
    return Either.right(rounded)
  })
