import type * as BigDecimal from "effect/BigDecimal"
import * as Schema from "effect/Schema"
import { BillingMonth } from "../invoices/model.js"
import { Currency, DecimalString, Money } from "../shared/money.js"
import { prefixedId } from "../shared/ids.js"
import { refusedField } from "../shared/read-only.js"
import { Timestamp } from "../shared/time.js"

/**
 * Commissions: rules (`cmr_`) that give a distributor or a partner a percentage of the net billed
 * revenue of the customers below it, optionally for one product or one plan, over a range of
 * dates. The monthly summary applies, to each line of the month's finalized and paid invoices, the
 * account's most specific rule in force on the month's first day (plan > product > general; none:
 * 0%), and rounds the commission once per account and currency.
 */

export const CommissionRuleId = prefixedId("cmr", "CommissionRuleId")
export type CommissionRuleId = typeof CommissionRuleId.Type

const isCalendarDate = (text: string): boolean => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (match === null) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  return year >= 1 && days !== undefined && day >= 1 && day <= days
}

/** A calendar day, `YYYY-MM-DD`, that exists (no 2026-02-30). */
export const CalendarDate = Schema.String.pipe(
  Schema.filter(isCalendarDate, { message: () => "must be a date written YYYY-MM-DD, e.g. \"2026-11-01\"" })
).annotations({ identifier: "CalendarDate", jsonSchema: { type: "string", format: "date", examples: ["2026-11-01"] } })

export class CommissionRule extends Schema.Class<CommissionRule>("CommissionRule")({
  id: CommissionRuleId,
  /** The distributor or partner the commission is paid to. */
  account_id: Schema.String,
  /** Percent of net billed revenue, 0 < p <= 100, at most 4 decimals: "10", "2.5". */
  percentage: DecimalString,
  /** Only lines of this product; null for any. */
  product_id: Schema.NullOr(Schema.String),
  /** Only lines of this plan; null for any. */
  plan_id: Schema.NullOr(Schema.String),
  /** The first day the rule applies. */
  effective_from: CalendarDate,
  /** The first day it no longer applies (exclusive); null while open-ended. */
  effective_to: Schema.NullOr(CalendarDate),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class CreateCommissionRule extends Schema.Class<CreateCommissionRule>("CreateCommissionRule")({
  /** A distributor or partner below the caller (never the caller's own account). */
  account_id: Schema.String,
  percentage: DecimalString,
  product_id: Schema.optional(Schema.NullOr(Schema.String)),
  /** When given with `product_id`, the plan must be of that product. */
  plan_id: Schema.optional(Schema.NullOr(Schema.String)),
  effective_from: CalendarDate,
  /** Exclusive; after `effective_from`. */
  effective_to: Schema.optional(Schema.NullOr(CalendarDate)),
  /** Rules are per product or plan, never per SKU: sent, it is 422 rather than a general rule. */
  sku_id: refusedField(
    "a rule covers a product's lines (product_id), a plan's (plan_id) or all; " +
      "a SKU's usage counts under its subscription's product, a one-off purchase under a general rule"
  )
}) {}

/** A rule with its place in the hierarchy (its account's lineage). */
export interface StoredCommissionRule {
  readonly rule: CommissionRule
  readonly lineage: ReadonlyArray<string>
}

export interface CommissionRuleFilter {
  readonly account_id?: string | undefined
}

/** The revenue of one rule of one account in one currency: a part of the account's commission. */
export class CommissionByRule extends Schema.Class<CommissionByRule>("CommissionByRule")({
  /** Null for the lines no rule covered (0%). */
  rule_id: Schema.NullOr(Schema.String),
  percentage: DecimalString,
  net_revenue: Money,
  /** net_revenue x percentage / 100, exact: the account's commission rounds the sum of these once. */
  commission_exact: DecimalString
}) {}

export const CommissionAccountKind = Schema.Literal("distributor", "partner")
export type CommissionAccountKind = typeof CommissionAccountKind.Type

/** One account's commission for the month in one currency. */
export class AccountCommission extends Schema.Class<AccountCommission>("AccountCommission")({
  account_id: Schema.String,
  account_kind: CommissionAccountKind,
  name: Schema.String,
  currency: Currency,
  /** The lines of the month's finalized and paid invoices of the customers below it, credits included. */
  net_revenue: Money,
  /** Rounded half-up to the currency's minor unit, once. */
  commission: Money,
  invoices: Schema.Int,
  invoice_ids: Schema.Array(Schema.String),
  by_rule: Schema.Array(CommissionByRule)
}) {}

export class CommissionSummary extends Schema.Class<CommissionSummary>("CommissionSummary")({
  period: BillingMonth,
  /** By account (distributors first, then partners, each by name), then currency; accounts without revenue are left out. */
  accounts: Schema.Array(AccountCommission)
}) {}

export interface CommissionSummaryQuery {
  readonly period: BillingMonth
  readonly partner_id?: string | undefined
  readonly distributor_id?: string | undefined
}

/** What the store aggregates for the summary: one row per account, currency and applied rule. */
export interface RevenueByRule {
  readonly account_id: string
  readonly account_kind: CommissionAccountKind
  readonly name: string
  readonly currency: Currency
  readonly rule_id: string | null
  readonly percentage: BigDecimal.BigDecimal
  readonly net_revenue: BigDecimal.BigDecimal
  readonly commission_exact: BigDecimal.BigDecimal
}

/** ... and one per account and currency, with its totals and invoices. */
export interface RevenueByAccount {
  readonly account_id: string
  readonly account_kind: CommissionAccountKind
  readonly name: string
  readonly currency: Currency
  readonly net_revenue: BigDecimal.BigDecimal
  readonly commission_exact: BigDecimal.BigDecimal
  readonly invoice_ids: ReadonlyArray<string>
}

export interface CommissionRevenue {
  readonly accounts: ReadonlyArray<RevenueByAccount>
  readonly rules: ReadonlyArray<RevenueByRule>
}

// Statements ----------------------------------------------------------------------------------

export const CommissionStatementId = prefixedId("cms", "CommissionStatementId")
export type CommissionStatementId = typeof CommissionStatementId.Type

export const CommissionStatementStatus = Schema.Literal("open", "settled")
export type CommissionStatementStatus = typeof CommissionStatementStatus.Type

/**
 * What one distributor or partner earned in one month and currency, to be paid to it: the
 * summary's commission, kept so finance can mark it paid. Open, it follows the month's
 * invoices (a late payment adds to it); settled, it keeps the amounts it was paid on.
 */
export class CommissionStatement extends Schema.Class<CommissionStatement>("CommissionStatement")({
  id: CommissionStatementId,
  /** The account the commission is paid to. */
  account_id: Schema.String,
  account_kind: CommissionAccountKind,
  name: Schema.String,
  period: BillingMonth,
  currency: Currency,
  /** The net billed revenue the commission is on (the summary's `net_revenue`). */
  net_revenue: Money,
  /** The commission to pay: the sum of the month's entries, rounded half-up once. */
  total: Money,
  /** The finalized and paid invoices it counts. */
  invoices: Schema.Int,
  status: CommissionStatementStatus,
  settled_at: Schema.NullOr(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/** A statement with its account's place in the hierarchy: scope checks use it. */
export interface StoredCommissionStatement {
  readonly statement: CommissionStatement
  readonly lineage: ReadonlyArray<string>
}

/** An account's rounded commission for a month and currency, as statements are written from it. */
export interface StatementAmounts {
  readonly id: string
  readonly account_id: string
  readonly currency: Currency
  readonly net_revenue: BigDecimal.BigDecimal
  readonly total: BigDecimal.BigDecimal
  readonly invoices: number
}

export interface CommissionStatementQuery {
  readonly period: BillingMonth
  /** Only this distributor's or partner's. */
  readonly account_id?: string | undefined
}
