/**
 * Guards against storing a primary account number (PAN). Provisio keeps only the gateway's
 * token and display hints (brand, last4, expiry); a full card number in any field would pull
 * the whole system into PCI DSS scope, so it is refused before it reaches storage.
 */

export const CARD_NUMBER_MESSAGE = "looks like a full card number; send the gateway's token instead"

// Digits, optionally grouped by single spaces or dashes the way people write card numbers, and
// not run into letters: an id of ours (base32, `con_01m98qkw...`) can hold a long run of digits
// between two letters, which once passed Luhn and refused a contact sent back whole.
const DIGIT_RUN = /(?<![A-Za-z0-9])\d(?:[ -]?\d)*(?![A-Za-z0-9])/g

/** The Luhn (mod 10) checksum that every payment card number satisfies. */
export const passesLuhn = (digits: string): boolean => {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (d < 0 || d > 9) return false
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return digits.length > 0 && sum % 10 === 0
}

/**
 * Whether the text holds a run of 13 to 19 digits (spaces and dashes between them ignored) that
 * passes Luhn. Longer runs are not card numbers (cards have at most 19 digits), so they are
 * left alone rather than searched for a lucky Luhn-valid window.
 */
export const containsCardNumber = (text: string): boolean => {
  for (const match of text.matchAll(DIGIT_RUN)) {
    const digits = match[0].replace(/[ -]/g, "")
    if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) return true
  }
  return false
}

/** The name of the first string field of an input that holds a card number, if any. */
export const findCardNumberField = (input: object): string | undefined => {
  for (const [field, value] of Object.entries(input)) {
    if (typeof value === "string" && containsCardNumber(value)) return field
  }
  return undefined
}

/**
 * Where a card number is anywhere in a request body (`card_number`, `card.number`, `cards[0]`),
 * as a path of keys and indexes, if any: fields a schema does not know are dropped unread before
 * the use case sees the input, so `findCardNumberField` alone would let `{"card_number": ...}`
 * through with a 201 that told the caller nothing of what it sent. Bodies nest at most 32 deep
 * (the HTTP input boundary), so the walk is bounded.
 */
export const findCardNumberPath = (body: unknown): ReadonlyArray<string | number> | undefined => {
  if (typeof body === "string") return containsCardNumber(body) ? [] : undefined
  if (typeof body !== "object" || body === null) return undefined
  const entries: Array<[string | number, unknown]> = Array.isArray(body) ? body.map((value, i) => [i, value]) : Object.entries(body)
  for (const [key, value] of entries) {
    const inner = findCardNumberPath(value)
    if (inner !== undefined) return [key, ...inner]
  }
  return undefined
}
