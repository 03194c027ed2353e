import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { isStorableText } from "../shared/text.js"
import { isInstantInRange, parseInstant } from "../shared/time.js"
import { UsageRecordInput } from "./model.js"

/**
 * Reading one usage record off the wire. `UsageRecordInput` is the definition and the only
 * source of rejection messages; decoding it costs several microseconds a record, most of an
 * ingestion's time in Node, so records in the form nearly every sender uses (strings within
 * bounds, a plain non-negative decimal string or whole number, an ISO 8601 instant with its
 * offset) are read directly, and anything else goes through the schema. The direct reading
 * accepts only what the schema accepts and gives the same values (tested on both paths).
 */

/** What ingestion works with: the decoded record, the instant as epoch milliseconds too. */
export interface ReadRecord {
  readonly transaction_id: string
  readonly subscription_id: string
  readonly sku_id: string
  readonly quantity: BigDecimal.BigDecimal
  readonly occurred_at: DateTime.Utc
}

const decodeRecord = Schema.decodeUnknownEither(UsageRecordInput)

/**
 * The schema's words for a field of the wrong type or length, told as the shape the field takes
 * (as the API's 422s are), without echoing a long value back.
 */
export const shapeOf = (path: string, message: string): string => {
  if (path === "occurred_at" && message.startsWith("Expected ")) {
    return "must be an ISO 8601 date-time such as \"2026-11-15T08:00:00Z\""
  }
  const longest = /^Expected a string at most (\d+) character\(s\) long, actual /.exec(message)
  if (longest !== null) return `must be at most ${longest[1]} characters long`
  const notString = /^Expected string, actual (.+)$/s.exec(message)
  if (notString !== null) return `must be a string, not ${notString[1]}`
  return message
}

/** "quantity: must be ..." for the first problem of a record that does not decode. */
const describeInvalid = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const path = issue?.path.map(String).join(".") ?? ""
  return issue === undefined || path === ""
    ? "the record must be an object with transaction_id, subscription_id, sku_id, quantity and occurred_at"
    : `${path}: ${shapeOf(path, issue.message)}`
}

/** The schema's bounds on the three ids (`nonEmpty(200)` in model.ts). */
const MAX_ID = 200
const isId = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= MAX_ID && isStorableText(value)

/** A non-negative decimal within DecimalString's digit limits (30 before the point, 20 after). */
const PLAIN_QUANTITY = /^(?:0|[1-9]\d{0,29})(?:\.(\d{1,20}))?$/

const plainQuantity = (value: unknown): BigDecimal.BigDecimal | undefined => {
  if (typeof value === "string") {
    const match = PLAIN_QUANTITY.exec(value)
    if (match === null) return undefined
    const fraction = match[1]
    return fraction === undefined
      ? BigDecimal.make(BigInt(value), 0)
      : BigDecimal.make(BigInt(value.replace(".", "")), fraction.length)
  }
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0
    ? BigDecimal.make(BigInt(value), 0)
    : undefined
}

const plainInstant = (value: unknown): DateTime.Utc | undefined => {
  // The schema's own reading (`Timestamp`); out of range or not ISO 8601, the schema tells why.
  const millis = typeof value === "string" ? parseInstant(value) : undefined
  return millis === undefined || !isInstantInRange(millis) ? undefined : DateTime.unsafeMake(millis)
}

/** The record read directly, or undefined when only the schema can tell. */
const readPlain = (raw: unknown): ReadRecord | undefined => {
  if (typeof raw !== "object" || raw === null) return undefined
  const r = raw as Record<string, unknown>
  const { sku_id, subscription_id, transaction_id } = r
  if (!isId(transaction_id) || !isId(subscription_id) || !isId(sku_id)) return undefined
  const quantity = plainQuantity(r["quantity"])
  if (quantity === undefined) return undefined
  const occurred_at = plainInstant(r["occurred_at"])
  if (occurred_at === undefined) return undefined
  return { transaction_id, subscription_id, sku_id, quantity, occurred_at }
}

/** The record, or the message that names its first problem. */
export const readRecord = (raw: unknown): Either.Either<ReadRecord, string> => {
  const plain = readPlain(raw)
  if (plain !== undefined) return Either.right(plain)
  return Either.mapLeft(decodeRecord(raw, { errors: "first" }), describeInvalid)
}
