import * as Option from "effect/Option"
import { mod97 } from "../shared/mod97.js"

/**
 * How a payment's reference names an invoice.
 *
 * An invoice is named by its number (`INV-2026-000123`) or by the structured creditor reference
 * made from it (ISO 11649, "RF creditor reference"): `RF`, two check digits, then the number's
 * letters and digits (`RF98INV2026000123`). A payer's bank checks the digits when the reference is
 * typed, so a mistyped one never reaches the statement; printed, it is grouped by four
 * (`RF98 INV2 0260 0012 3`). Matching compares numbers by their letters and digits only, upper
 * case (`numberKey`), so `inv 2026-000123` in a free text names the same invoice.
 */

/** The letters and digits of a reference or an invoice number, upper case: what matching compares. */
export const numberKey = (text: string): string => text.toUpperCase().replace(/[^A-Z0-9]/g, "")

/** The most letters and digits a creditor reference carries after `RF` and its check digits. */
export const MAX_REFERENCE_BODY = 21

/**
 * The structured creditor reference (ISO 11649) of an invoice number, written without spaces:
 * `creditorReference("INV-2026-000123")` is `Some("RF98INV2026000123")`. The body is the number's
 * letters and digits, upper case; the check digits make `body + "RF" + digits` equal 1 modulo 97,
 * letters counted A = 10 to Z = 35. None when the number has no letter or digit, or more than 21.
 */
export const creditorReference = (invoiceNumber: string): Option.Option<string> => {
  const body = numberKey(invoiceNumber)
  if (body.length === 0 || body.length > MAX_REFERENCE_BODY) return Option.none()
  const check = 98 - mod97(`${body}RF00`)
  return Option.some(`RF${String(check).padStart(2, "0")}${body}`)
}

/** A creditor reference printed in groups of four, as on a payment slip: `RF98 INV2 0260 0012 3`. */
export const formatCreditorReference = (reference: string): string => reference.replace(/(.{4})(?=.)/g, "$1 ")

/**
 * The body of a valid creditor reference (spaces and case ignored): `RF98 INV2 0260 0012 3` gives
 * `Some("INV2026000123")`; anything that is not one, or whose check digits are wrong, gives None.
 */
export const parseCreditorReference = (text: string): Option.Option<string> => {
  const compact = text.replace(/\s+/g, "").toUpperCase()
  if (!/^RF\d{2}[A-Z0-9]{1,21}$/.test(compact)) return Option.none()
  return mod97(`${compact.slice(4)}${compact.slice(0, 4)}`) === 1 ? Option.some(compact.slice(4)) : Option.none()
}

/** Fewer letters and digits than this is not taken for an invoice number in a free text. */
const MIN_KEY_LENGTH = 4

/**
 * An invoice number anywhere in a free text: `INV` in any case, `-`, a space or nothing, the year,
 * `-`, a space or nothing, the sequence digits, with no letter or digit just before or after it
 * (`XINV-2026-000123` and `INV-2026-0001234` do not name INV-2026-000123).
 */
const INVOICE_NUMBER = /(?<![\p{L}\p{N}])INV[-\s]?\d{4}[-\s]?\d+(?![\p{L}\p{N}])/giu

/**
 * The invoice-number keys a reference may name: a creditor reference's body, else each word of
 * the text (split at spaces and punctuation other than `-` `.` `_`) by its letters and digits,
 * each invoice number written in it (`INVOICE_NUMBER`), and the whole text's letters and digits.
 * `Payment INV-2026-000123, thanks` and `Invoice inv 2026 000123` give INV2026000123 among their keys.
 */
export const referenceKeys = (text: string): ReadonlyArray<string> => {
  const whole = parseCreditorReference(text)
  if (Option.isSome(whole)) return [whole.value]
  const keys = new Set<string>()
  for (const word of text.split(/[\s,;:/()[\]{}#+*'"]+/)) {
    const key = Option.getOrElse(parseCreditorReference(word), () => numberKey(word))
    if (key.length >= MIN_KEY_LENGTH) keys.add(key)
  }
  for (const match of text.matchAll(INVOICE_NUMBER)) keys.add(numberKey(match[0]))
  const all = numberKey(text)
  if (all.length >= MIN_KEY_LENGTH && all.length <= 64) keys.add(all)
  return [...keys]
}
