import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import { type PriceModel, rate } from "../catalog/pricing.js"
import type { InvoiceLineDetails, InvoiceLineFields, InvoiceLineKind } from "../invoices/model.js"
import { type LineCost, planLineCosts, type TierPlanPrice, type TierSkuModel, usageLineCosts } from "../channel/line-costs.js"
import { proratedAmount } from "./amounts.js"
import { type Currency, type Money, roundToMinorUnit } from "../shared/money.js"
import type { SubscriptionStatus } from "../subscriptions/model.js"
import { type BillingInterval, installmentSchedule, prorationFraction } from "../subscriptions/periods.js"

/**
 * A line from values this module computed from validated inputs: plain fields, no instance
 * (`InvoiceLineFields`), the fields not given null (details empty). Written out field by field:
 * spreading a template and overriding its fields costs V8 some microseconds a line, and a run
 * makes tens of thousands.
 */
const invoiceLine = (
  fields: Pick<InvoiceLineFields, "kind" | "description" | "amount"> & Partial<InvoiceLineFields>
): InvoiceLineFields => ({
  kind: fields.kind,
  description: fields.description,
  subscription_id: fields.subscription_id ?? null,
  product_id: fields.product_id ?? null,
  plan_id: fields.plan_id ?? null,
  sku_id: fields.sku_id ?? null,
  period_start: fields.period_start ?? null,
  period_end: fields.period_end ?? null,
  quantity: fields.quantity ?? null,
  unit_price: fields.unit_price ?? null,
  amount: fields.amount,
  details: fields.details ?? {},
  order_item_id: fields.order_item_id ?? null,
  credit_note_id: fields.credit_note_id ?? null,
  tax_rate: fields.tax_rate ?? null,
  tax_category: fields.tax_category ?? null
})

/**
 * What a subscription period, its usage and a customer's one-off purchases put on an invoice
 * (docs/billing.md, "The billing model"): pure functions, no clock, no storage. The billing run,
 * the re-rating of drafts and the preview all build their lines here, so a preview shows the
 * lines the run will write.
 *
 * Every line amount is rounded once, when the line is made (money.ts `roundToMinorUnit`); an
 * invoice only sums its lines.
 */

// Inputs ----------------------------------------------------------------------------------------

/** What billing needs of a subscription: its identity and its schedule (periods.ts). */
export interface BillableSubscription {
  readonly id: string
  readonly customer_id: string
  readonly product_id: string
  readonly parent_subscription_id: string | null
  readonly anchor: DateTime.Utc
  readonly time_zone: string
  readonly interval: BillingInterval
  /** When it was made: an add-on shares its parent's anchor but exists only from here. */
  readonly created_at: DateTime.Utc
  /** Whether its time suspended by dunning is billed (the customer's dunning policy); true when absent. */
  readonly bill_while_suspended?: boolean
}

/** One row of `subscription_history`: the state from `effective_at` until the next row. */
export interface HistoryRow {
  readonly effective_at: DateTime.Utc
  readonly quantity: number
  readonly plan_id: string
  readonly plan_version: number
  readonly status: SubscriptionStatus
}

/** A plan version's price: per unit per interval. */
export interface PlanPrice {
  readonly plan_id: string
  readonly version: number
  readonly name: string
  /** At the period's start. */
  readonly price: Money
  readonly commitment_months: number | null
  /**
   * Later prices inside the period, oldest first (a price list applied `immediately`,
   * docs/channel.md): the period is prorated at each price from its instant on.
   */
  readonly changes?: ReadonlyArray<{ readonly from: DateTime.Utc; readonly price: Money }>
  /** Each tier above the customer that buys the plan, at its own price (its lines' costs). */
  readonly costs?: ReadonlyArray<TierPlanPrice>
}

/** A billing period of a subscription (periods.ts): `[start, end)`, number `index` from 0. */
export interface SubscriptionPeriod {
  readonly index: number
  readonly start: DateTime.Utc
  readonly end: DateTime.Utc
}

/** A SKU as billing rates it. */
export interface SkuPricing {
  readonly id: string
  readonly name: string
  readonly currency: Currency
  readonly model: PriceModel
}

/** A period's usage of one SKU, and each tier above the customer's price model for it (its costs). */
export interface UsageToRate {
  readonly sku: SkuPricing
  readonly quantity: BigDecimal.BigDecimal
  readonly costs?: ReadonlyArray<TierSkuModel>
}

/** A completed `purchase` order item not yet on an invoice. */
export interface OneOffItem {
  readonly order_item_id: string
  readonly sku_id: string | null
  readonly description: string
  readonly quantity: number
  readonly unit_price: BigDecimal.BigDecimal | null
  readonly amount: Money
}

/** A line and the currency of the invoice it goes on (one invoice per customer and currency). */
export interface BilledLine {
  readonly currency: Currency
  readonly line: InvoiceLineFields
  /** What each tier above the customer pays for the line (channel/line-costs.ts), when known. */
  readonly costs?: ReadonlyArray<LineCost>
}

// Segments ---------------------------------------------------------------------------------------

const BILLABLE: ReadonlySet<SubscriptionStatus> = new Set(["active", "suspended"])
/** The same, for a customer whose dunning policy does not bill suspended time. */
const BILLABLE_UNLESS_SUSPENDED: ReadonlySet<SubscriptionStatus> = new Set(["active"])

/** A stretch of a period with one billable state. */
export interface Segment {
  readonly from: DateTime.Utc
  readonly to: DateTime.Utc
  readonly quantity: number
  readonly plan_id: string
  readonly plan_version: number
  /** Local dates charged (periods.ts `prorationFraction`) and the period's. */
  readonly days: number
  readonly period_days: number
}

/**
 * The billable segments of `period` from the subscription's history (rows in any order): the
 * state at the period's start, then each change inside it, cut at the period's bounds. Statuses
 * active and suspended are billed (suspended only when the policy says `bill_while_suspended`), the others not; neighbours with the same quantity and plan
 * version are one segment (a suspension does not split a line). Segments of no whole day are left out.
 */
export const segmentsOf = (
  subscription: BillableSubscription,
  period: SubscriptionPeriod,
  history: ReadonlyArray<HistoryRow>
): ReadonlyArray<Segment> => {
  // Nothing is billed before the subscription existed (an add-on's history starts at its parent's
  // anchor). Instants compared as epoch milliseconds: this runs for every subscription of a run.
  const created = DateTime.toEpochMillis(subscription.created_at)
  const start = DateTime.toEpochMillis(period.start)
  const end = DateTime.toEpochMillis(period.end)
  const rows = history
    .map((row, i) => {
      const at = DateTime.toEpochMillis(row.effective_at)
      return at >= created ? { row, i, at, effective: row.effective_at } : { row, i, at: created, effective: subscription.created_at }
    })
    .sort((a, b) => a.at - b.at || a.i - b.i)
  const billable = subscription.bill_while_suspended === false ? BILLABLE_UNLESS_SUSPENDED : BILLABLE
  const pieces: Array<{ from: DateTime.Utc; to: DateTime.Utc; toMillis: number; quantity: number; plan_id: string; plan_version: number }> = []
  for (let k = 0; k < rows.length; k++) {
    const { at, effective, row } = rows[k]!
    const next = rows[k + 1]
    const untilEnd = next === undefined || next.at >= end
    const fromMillis = Math.max(at, start)
    const toMillis = untilEnd ? end : next.at
    if (fromMillis >= toMillis || !billable.has(row.status)) continue
    const from = at >= start ? effective : period.start
    const to = untilEnd ? period.end : next.effective
    const last = pieces[pieces.length - 1]
    if (
      last !== undefined && last.toMillis === fromMillis && last.quantity === row.quantity &&
      last.plan_id === row.plan_id && last.plan_version === row.plan_version
    ) {
      last.to = to
      last.toMillis = toMillis
    } else {
      pieces.push({ from, to, toMillis, quantity: row.quantity, plan_id: row.plan_id, plan_version: row.plan_version })
    }
  }
  return pieces
    .map(({ from, plan_id, plan_version, quantity, to }) => {
      const { days, periodDays } = prorationFraction(period, from, to, subscription.time_zone)
      return { from, to, quantity, plan_id, plan_version, days, period_days: periodDays }
    })
    .filter((segment) => segment.days > 0)
}

/**
 * A segment cut where its plan's price changes inside it (`PlanPrice.changes`), each piece with
 * its price and days; the segment itself (price undefined: the plan's) when none does.
 */
const atPrices = (
  subscription: BillableSubscription,
  period: SubscriptionPeriod,
  segment: Segment,
  plan: PlanPrice
): ReadonlyArray<Segment & { readonly price?: BigDecimal.BigDecimal }> => {
  const from = DateTime.toEpochMillis(segment.from)
  const to = DateTime.toEpochMillis(segment.to)
  const changes = plan.changes ?? []
  if (changes.length === 0) return [segment]
  const inForce = changes.filter((c) => DateTime.toEpochMillis(c.from) <= from).at(-1)?.price.amount ?? plan.price.amount
  const inside = changes.filter((c) => DateTime.toEpochMillis(c.from) > from && DateTime.toEpochMillis(c.from) < to)
  const bounds = [{ at: segment.from, price: inForce }, ...inside.map((c) => ({ at: c.from, price: c.price.amount }))]
  return bounds
    .map((bound, i) => {
      const end = bounds[i + 1]?.at ?? segment.to
      const { days, periodDays } = prorationFraction(period, bound.at, end, subscription.time_zone)
      return { ...segment, from: bound.at, to: end, days, period_days: periodDays, price: bound.price }
    })
    .filter((piece) => piece.days > 0)
}

// Lines -------------------------------------------------------------------------------------------

const decimal = (n: number) => BigDecimal.make(BigInt(n), 0)

/**
 * The recurring fee of `period` over its segments: one `recurring` line (price x quantity) when a
 * single segment covers the whole period, else one `proration` line per segment (price x quantity
 * x days / period days). Committed plans bill `installment` lines instead, numbered k of n.
 */
export const recurringLines = (
  subscription: BillableSubscription,
  period: SubscriptionPeriod,
  unpriced: ReadonlyArray<Segment>,
  planPrice: (planId: string, version: number) => PlanPrice
): ReadonlyArray<BilledLine> => {
  const segments = unpriced.flatMap((segment) => atPrices(subscription, period, segment, planPrice(segment.plan_id, segment.plan_version)))
  const whole = segments.length === 1 && segments[0]!.days === segments[0]!.period_days
  return segments.map((segment) => {
    const plan = planPrice(segment.plan_id, segment.plan_version)
    const currency = plan.price.currency
    const unitPrice = segment.price ?? plan.price.amount
    const quantity = decimal(segment.quantity)
    const proration: InvoiceLineDetails = whole ? {} : { days: segment.days, period_days: segment.period_days }
    const installments = plan.commitment_months === null
      ? undefined
      : installmentSchedule(subscription.anchor, subscription.time_zone, subscription.interval, plan.commitment_months).length
    const details: InvoiceLineDetails = installments === undefined
      ? proration
      : { ...proration, installment: (period.index % installments) + 1, installments }
    const kind = installments !== undefined ? "installment" : whole ? "recurring" : "proration"
    const what = installments === undefined
      ? plan.name
      : `${plan.name}, installment ${details.installment} of ${installments}`
    return {
      currency,
      ...(plan.costs === undefined ? {} : { costs: planLineCosts(plan.costs, segment.from, quantity, whole ? undefined : segment, currency) }),
      line: invoiceLine({
        kind,
        description: whole ? what : `${what} (${segment.days} of ${segment.period_days} days)`,
        subscription_id: subscription.id,
        product_id: subscription.product_id,
        plan_id: plan.plan_id,
        period_start: whole ? period.start : segment.from,
        period_end: whole ? period.end : segment.to,
        quantity,
        unit_price: unitPrice,
        amount: proratedAmount(unitPrice, quantity, whole ? undefined : segment, currency),
        details
      })
    }
  })
}

/**
 * The usage of `period`, rated once per SKU on the period's total: one `usage` line per SKU
 * (unit_price null when several tiers priced it; the tiers are in details). Zero totals make no line.
 */
export const usageLines = (
  subscription: BillableSubscription,
  period: Pick<SubscriptionPeriod, "start" | "end">,
  usage: ReadonlyArray<UsageToRate>
): ReadonlyArray<BilledLine> =>
  [...usage]
    .filter((u) => BigDecimal.isPositive(u.quantity))
    .sort((a, b) => (a.sku.id < b.sku.id ? -1 : a.sku.id > b.sku.id ? 1 : 0))
    .map(({ costs, quantity, sku }) => {
      const rating = rate(sku.model, quantity, sku.currency)
      return {
        currency: sku.currency,
        ...(costs === undefined ? {} : { costs: usageLineCosts(costs, quantity, sku.currency) }),
        line: invoiceLine({
          kind: "usage",
          description: sku.name,
          subscription_id: subscription.id,
          product_id: subscription.product_id,
          sku_id: sku.id,
          period_start: period.start,
          period_end: period.end,
          quantity,
          unit_price: rating.lines.length === 1 ? rating.lines[0]!.unit_price : null,
          amount: rating.amount,
          details: { model: sku.model.model, tiers: rating.lines.map((l) => ({ ...l })) }
        })
      }
    })

/** One-off purchases as `one_off` lines, priced as the order priced them. */
export const oneOffLines = (items: ReadonlyArray<OneOffItem>): ReadonlyArray<BilledLine> =>
  items.map((item) => ({
    currency: item.amount.currency,
    line: invoiceLine({
      kind: "one_off",
      description: item.description,
      sku_id: item.sku_id,
      quantity: decimal(item.quantity),
      unit_price: item.unit_price,
      amount: item.amount.amount,
      order_item_id: item.order_item_id
    })
  }))

/** Everything a subscription period puts on invoices: the recurring fee, then the usage. */
export const subscriptionLines = (
  subscription: BillableSubscription,
  period: SubscriptionPeriod,
  history: ReadonlyArray<HistoryRow>,
  planPrice: (planId: string, version: number) => PlanPrice,
  usage: ReadonlyArray<UsageToRate>
): ReadonlyArray<BilledLine> => [
  ...recurringLines(subscription, period, segmentsOf(subscription, period, history), planPrice),
  ...usageLines(subscription, period, usage)
]

/**
 * Credits as an invoice would apply them at finalization: the credit notes (oldest first) up to
 * the subtotal, each a negative `credit` line.
 */
export const creditLines = (
  subtotal: BigDecimal.BigDecimal,
  credits: ReadonlyArray<{ readonly credit_note_id: string; readonly remaining: BigDecimal.BigDecimal }>
): ReadonlyArray<InvoiceLineFields> => {
  const lines: Array<InvoiceLineFields> = []
  let left = subtotal
  for (const credit of credits) {
    if (!BigDecimal.isPositive(left)) break
    const applied = BigDecimal.min(left, credit.remaining)
    if (!BigDecimal.isPositive(applied)) continue
    left = BigDecimal.subtract(left, applied)
    lines.push(invoiceLine({
      kind: "credit",
      description: `Credit note ${credit.credit_note_id}`,
      amount: BigDecimal.negate(applied),
      credit_note_id: credit.credit_note_id
    }))
  }
  return lines
}

/** subtotal = every line but credits; total = subtotal + credits; amount_due = total - amount_paid. */
export const totalsOf = (
  lines: ReadonlyArray<{ readonly kind: InvoiceLineKind; readonly amount: BigDecimal.BigDecimal }>,
  currency: Currency,
  amountPaid: BigDecimal.BigDecimal = BigDecimal.make(0n, 0)
) => {
  const zero = roundToMinorUnit(BigDecimal.make(0n, 0), currency)
  const sum = (kind: (k: InvoiceLineKind) => boolean) =>
    roundToMinorUnit(BigDecimal.sum(zero, BigDecimal.sumAll(lines.filter((l) => kind(l.kind)).map((l) => l.amount))), currency)
  const subtotal = sum((k) => k !== "credit")
  const total = roundToMinorUnit(BigDecimal.sum(subtotal, sum((k) => k === "credit")), currency)
  return {
    subtotal,
    total,
    amount_paid: roundToMinorUnit(amountPaid, currency),
    amount_due: roundToMinorUnit(BigDecimal.subtract(total, amountPaid), currency)
  }
}

/** Lines grouped by the currency of the invoice they go on, in first-seen order. */
export const byCurrency = (lines: ReadonlyArray<BilledLine>): Map<Currency, Array<InvoiceLineFields>> => {
  const groups = new Map<Currency, Array<InvoiceLineFields>>()
  for (const { currency, line } of lines) {
    const group = groups.get(currency)
    if (group === undefined) groups.set(currency, [line])
    else group.push(line)
  }
  return groups
}
