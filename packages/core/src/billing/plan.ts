import * as DateTime from "effect/DateTime"
import type { BillingMonth } from "../invoices/model.js"
import type { InvoiceToIssue } from "../invoices/ports.js"
import type { Currency } from "../shared/money.js"
import {
  type BilledLine,
  type BillableSubscription,
  type OneOffItem,
  oneOffLines,
  type SubscriptionPeriod,
  subscriptionLines
} from "./build.js"
import { type BillingInputs, key } from "./inputs.js"
import { monthBoundsMemo, periodEndingIn } from "./months.js"
import type { BillableCustomer, PlacedLine } from "./ports.js"

/**
 * A chunk of a billing run, planned: pure functions from what was read (customers, their
 * subscriptions, the inputs, the one-offs) to what is written (invoices, lines, claims). No
 * clock and no storage: chunk.ts reads, calls these, and writes.
 */

export interface DuePeriod {
  readonly subscription: BillableSubscription
  readonly period: SubscriptionPeriod
}

export interface BilledPeriod extends DuePeriod {
  readonly lines: ReadonlyArray<BilledLine>
}

/** Billed in arrears: each subscription's period that ends in `month`, once it has ended by `at`. */
export const duePeriods = (
  subscriptions: ReadonlyArray<BillableSubscription>,
  month: BillingMonth,
  at: DateTime.Utc
): ReadonlyArray<DuePeriod> =>
{
  const boundsOf = monthBoundsMemo()
  return subscriptions.flatMap((subscription) => {
    const period = periodEndingIn(subscription, month, boundsOf)
    return period === undefined || DateTime.greaterThan(period.end, at) ? [] : [{ subscription, period }]
  })
}

/**
 * What each due period bills, as the preview builds it (the recurring fee, then its usage rated
 * from the period's running totals), subscriptions in id order.
 */
export const billedPeriods = (due: ReadonlyArray<DuePeriod>, inputs: BillingInputs): ReadonlyArray<BilledPeriod> =>
  due
    .map(({ period, subscription }) => ({
      subscription,
      period,
      lines: subscriptionLines(
        subscription,
        period,
        inputs.historyOf(subscription.id),
        inputs.planPriceFor(subscription.id),
        inputs.usageOf(subscription.id, period.start)
      )
    }))
    .sort((a, b) => (a.subscription.id < b.subscription.id ? -1 : 1))

/** The one-off purchases' lines, by customer. */
export const oneOffsByCustomer = (
  oneOffs: ReadonlyArray<{ readonly customer_id: string; readonly item: OneOffItem }>
): ReadonlyMap<string, ReadonlyArray<BilledLine>> => {
  const byCustomer = new Map<string, Array<BilledLine>>()
  for (const { customer_id, item } of oneOffs) {
    const list = byCustomer.get(customer_id) ?? []
    list.push(...oneOffLines([item]))
    byCustomer.set(customer_id, list)
  }
  return byCustomer
}

/** Every customer and currency that has a line to bill, once each. */
export const wantedInvoices = (
  billed: ReadonlyArray<BilledPeriod>,
  oneOffs: ReadonlyMap<string, ReadonlyArray<BilledLine>>
): ReadonlyArray<{ readonly customer_id: string; readonly currency: Currency }> => [
  ...billed.flatMap((b) => b.lines.map((l) => ({ customer_id: b.subscription.customer_id, currency: l.currency }))),
  ...[...oneOffs].flatMap(([customer_id, lines]) => lines.map((l) => ({ customer_id, currency: l.currency })))
]

/** Each customer and currency once, in a fixed order: the order the invoices' locks are taken in. */
export const uniqueInvoices = (
  wanted: ReadonlyArray<{ readonly customer_id: string; readonly currency: Currency }>
): ReadonlyArray<{ readonly customer_id: string; readonly currency: Currency }> =>
  [...new Map(wanted.map((w) => [key(w.customer_id, w.currency), w]))].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, w]) => w)

/** An invoice request for each of `unique` (`uniqueInvoices`), with `ids` (one each) for the new ones. */
export const invoiceRequests = (
  unique: ReadonlyArray<{ readonly customer_id: string; readonly currency: Currency }>,
  customers: ReadonlyMap<string, BillableCustomer>,
  run: { readonly id: string; readonly period: BillingMonth },
  ids: ReadonlyArray<string>
): ReadonlyArray<InvoiceToIssue> =>
  unique.map((w, i) => {
    const customer = customers.get(w.customer_id)!
    return {
      id: ids[i]!,
      customer_id: w.customer_id,
      lineage: customer.lineage,
      issuer_account_id: customer.partner_id,
      currency: w.currency,
      period: run.period,
      billing_run_id: run.id
    }
  })

/**
 * The lines of the periods this transaction claimed and of the one-offs, each on its customer's
 * invoice of its currency, in the preview's order: each subscription's lines (subscriptions by
 * id), then the one-offs. Lines whose costs up the channel are known carry them, in `period`.
 */
export const placeLines = (
  billed: ReadonlyArray<BilledPeriod>,
  claimed: ReadonlySet<string>,
  oneOffs: ReadonlyMap<string, ReadonlyArray<BilledLine>>,
  invoiceOf: (customerId: string, currency: Currency) => string,
  period: BillingMonth
): ReadonlyArray<PlacedLine> => {
  const lines: Array<PlacedLine> = []
  const place = (customerId: string, l: BilledLine) => {
    const invoice_id = invoiceOf(customerId, l.currency)
    lines.push(l.costs === undefined || l.costs.length === 0
      ? { invoice_id, line: l.line }
      : { invoice_id, line: l.line, costs: { customer_id: customerId, period, currency: l.currency, tiers: l.costs } })
  }
  for (const b of billed) {
    if (!claimed.has(b.subscription.id)) continue
    for (const l of b.lines) place(b.subscription.customer_id, l)
  }
  for (const [customerId, list] of [...oneOffs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const l of list) place(customerId, l)
  }
  return lines
}
