import * as BigDecimal from "effect/BigDecimal"
import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import { DecimalString, integerDigitsBound } from "../shared/money.js"
import { StorableString } from "../shared/text.js"
import { Timestamp } from "../shared/time.js"

/**
 * Usage: metered quantities of a subscription's SKUs, reported by the channel's systems through
 * `POST /usage`, the library (`UsageService.ingest`) or `provisio usage import`. Each record is
 * accepted, counted as a duplicate (its `transaction_id` was seen before for that customer) or
 * rejected with a code; records are filed under the subscription period they fall in, which is
 * what billing rates and thresholds count.
 */

const nonEmpty = (max: number) =>
  StorableString.pipe(Schema.minLength(1, { message: () => "must not be empty" }), Schema.maxLength(max))

/**
 * A decimal string ("1.5") or a whole JSON number (42): a fraction as a JSON number has been
 * through a binary float already, a safe integer has not.
 */
export const UsageQuantity = Schema.Union(
  DecimalString,
  Schema.transform(
    Schema.Number.pipe(Schema.filter((n) => Number.isSafeInteger(n), {
      message: () => "must be a decimal string such as \"1.5\" or a whole number"
    })),
    Schema.BigDecimalFromSelf,
    { strict: true, decode: (n) => BigDecimal.fromBigInt(BigInt(n)), encode: (d) => BigDecimal.unsafeToNumber(d) }
  )
).annotations({
  identifier: "UsageQuantity",
  message: () => "must be a decimal string such as \"1.5\" or a whole number"
})

/**
 * A period's usage of one SKU (the total a usage line rates) has at most this many digits before
 * the point, and so has each record: under 1,000,000,000,000 in any unit. Money holds 30 digits
 * (money.ts) and the total is multiplied before it is stored: by a usage price of at most 16
 * digits (the catalog's 12, catalog/pricing.ts MAX_PRICE_DIGITS, through three price-list markups
 * of 1000 %, x 1331), each tier reached adding a flat fee as large. That is 28 digits a line,
 * which leaves two for the sums of an invoice's lines and tax.
 */
export const MAX_USAGE_DIGITS = 12
const USAGE = integerDigitsBound(MAX_USAGE_DIGITS, "a period's usage of a SKU")
export const USAGE_BOUND = USAGE.bound
/** Why a total at the bound is refused. */
export const USAGE_BOUND_REASON = USAGE.reason
export const USAGE_BOUND_MESSAGE = USAGE.message

export class UsageRecordInput extends Schema.Class<UsageRecordInput>("UsageRecordInput")({
  /** The sender's id of the record, unique per customer: a record sent again is a duplicate. */
  transaction_id: nonEmpty(200),
  subscription_id: nonEmpty(200),
  /** The SKU's id (`sku_...`) or its code ("voice-minutes"). */
  sku_id: nonEmpty(200),
  quantity: UsageQuantity,
  occurred_at: Timestamp
}) {}

export const RejectionCode = Schema.Literal(
  "invalid_record",
  "unknown_subscription",
  "unknown_sku",
  "invalid_quantity",
  "outside_subscription",
  "future_timestamp",
  "period_closed"
)
export type RejectionCode = typeof RejectionCode.Type

export class UsageRejection extends Schema.Class<UsageRejection>("UsageRejection")({
  /** The record's position in the request (in the whole stream or file for the library and the CLI), from 0. */
  index: Schema.Int,
  code: RejectionCode,
  message: Schema.String
}) {}

/** `accepted + duplicates + rejected.length` is the number of records given. */
export class IngestResult extends Schema.Class<IngestResult>("IngestResult")({
  accepted: Schema.Int,
  duplicates: Schema.Int,
  rejected: Schema.Array(UsageRejection)
}) {}

/** At most this many records per `POST /usage`; the library and the CLI ingest in batches of it. */
export const MAX_USAGE_BATCH = 1000

export const UsageGroupBy = Schema.Literal("sku", "day")
export type UsageGroupBy = typeof UsageGroupBy.Type

export interface UsageSummaryQuery {
  readonly subscription_id: string
  /** Records with `occurred_at >= from` and `< to`; either may be left open. */
  readonly from?: DateTime.Utc | undefined
  readonly to?: DateTime.Utc | undefined
  readonly group_by: UsageGroupBy
}

export class UsageTotal extends Schema.Class<UsageTotal>("UsageTotal")({
  sku_id: Schema.String,
  sku_code: Schema.String,
  /** The UTC day `YYYY-MM-DD` when grouped by day; absent when grouped by SKU. */
  day: Schema.optional(Schema.String),
  quantity: DecimalString
}) {}

export class UsageSummary extends Schema.Class<UsageSummary>("UsageSummary")({
  subscription_id: Schema.String,
  group_by: UsageGroupBy,
  from: Schema.NullOr(Timestamp),
  to: Schema.NullOr(Timestamp),
  totals: Schema.Array(UsageTotal)
}) {}

// What the storage answers and takes ----------------------------------------------------------

/** What validating a record needs to know of its subscription. */
export interface UsageSubscription {
  readonly id: string
  readonly customer_id: string
  readonly lineage: ReadonlyArray<string>
  readonly status: string
  readonly billing_anchor: DateTime.Utc
  /** When it started: its anchor, or later for an add-on (which shares its parent's anchor). */
  readonly started_at: DateTime.Utc
  readonly time_zone: string
  readonly billing_interval: "month" | "year"
  readonly current_period_start: DateTime.Utc
  readonly current_period_end: DateTime.Utc
  /** When it stopped (cancelled or expired), if it did: usage after that is not its. */
  readonly ended_at: DateTime.Utc | null
  /** The SKUs of its plan version: the only ones it may report. */
  readonly sku_ids: ReadonlyArray<string>
}

export interface UsageSku {
  readonly id: string
  readonly code: string
  readonly thresholds: ReadonlyArray<number>
}

/** A subscription period that a billing run has claimed, and the status of its invoice. */
export interface BilledPeriod {
  readonly subscription_id: string
  readonly period_start: DateTime.Utc
  readonly invoice_status: string
}

/** Everything validation needs for one batch, loaded in one query. */
export interface UsageBatchContext {
  readonly subscriptions: ReadonlyArray<UsageSubscription>
  readonly skus: ReadonlyArray<UsageSku>
  readonly billed_periods: ReadonlyArray<BilledPeriod>
}

/** A subscription's period: what usage is grouped and billed by. */
export interface PeriodKey {
  readonly subscription_id: string
  readonly period_start: DateTime.Utc
}

export interface NewUsageRecord {
  readonly customer_id: string
  readonly transaction_id: string
  readonly subscription_id: string
  readonly sku_id: string
  readonly quantity: BigDecimal.BigDecimal
  readonly occurred_at: DateTime.Utc
  readonly period_start: DateTime.Utc
}

/** The usage of one SKU of a subscription in one period. */
export interface UsageGroup extends PeriodKey {
  readonly sku_id: string
}

export interface ThresholdCrossing extends UsageGroup {
  readonly threshold: number
  readonly event_id: string
}
