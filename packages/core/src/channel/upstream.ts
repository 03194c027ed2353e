import * as BigDecimal from "effect/BigDecimal"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { BillingRun } from "../billing/model.js"
import type { BillingMonth, InvoiceLineFields, InvoiceTax } from "../invoices/model.js"
import { makeIds } from "../shared/ids.js"
import { type Currency, money } from "../shared/money.js"
import { TaxCalculator } from "../tax/ports.js"
import { breakdown } from "../tax/rules.js"
import { type PendingCost, UpstreamInvoiceRepo, type UpstreamToIssue } from "./ports.js"

/**
 * Upstream invoices (docs/channel.md): at the end of a billing run, each seller with
 * settings.channel.upstream_invoicing on invoices each account it sells to for the period's
 * costs of the customers the run covers: one invoice per (seller, buyer, currency), one line per
 * plan or SKU, taxed by the tax rules with the buyer's settings.legal (B2B), numbered per issuer.
 */

/** One invoice's worth of pending costs. */
export interface UpstreamGroup {
  readonly seller_account_id: string
  readonly buyer_account_id: string
  readonly buyer_lineage: ReadonlyArray<string>
  readonly currency: Currency
  readonly costs: ReadonlyArray<PendingCost>
}

/** The pending costs grouped per seller, buyer and currency, in a fixed order (the numbering order). */
export const upstreamGroups = (costs: ReadonlyArray<PendingCost>): ReadonlyArray<UpstreamGroup> => {
  const groups = new Map<string, { seller_account_id: string; buyer_account_id: string; buyer_lineage: ReadonlyArray<string>; currency: Currency; costs: Array<PendingCost> }>()
  for (const cost of costs) {
    const k = `${cost.seller_account_id}\u0000${cost.buyer_account_id}\u0000${cost.currency}`
    const group = groups.get(k) ?? {
      seller_account_id: cost.seller_account_id,
      buyer_account_id: cost.buyer_account_id,
      buyer_lineage: cost.buyer_lineage,
      currency: cost.currency,
      costs: []
    }
    group.costs.push(cost)
    groups.set(k, group)
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => g)
}

/** A group's lines as invoice lines, for the tax calculator: no period, so taxed on the issue day. */
const untaxedLines = (group: UpstreamGroup): ReadonlyArray<InvoiceLineFields> =>
  group.costs.map((c) => ({
    kind: c.sku_id === null ? "recurring" : "usage",
    description: c.description,
    subscription_id: null,
    product_id: null,
    plan_id: c.plan_id,
    sku_id: c.sku_id,
    period_start: null,
    period_end: null,
    quantity: c.quantity,
    unit_price: null,
    amount: c.amount,
    details: {},
    order_item_id: null,
    credit_note_id: null,
    tax_rate: null,
    tax_category: null
  }))

/** The invoices of the run's period, for the customers the run covers; answers how many were issued. */
export const issueUpstreamInvoices = (run: Pick<BillingRun, "id" | "account_id" | "period">, at: DateTime.Utc) =>
  Effect.gen(function* () {
    const repo = yield* UpstreamInvoiceRepo
    const groups = upstreamGroups(yield* repo.pendingCosts(run.period, run.account_id))
    if (groups.length === 0) return 0
    const taxed = yield* (yield* TaxCalculator).taxLines(groups.map((g) => ({
      issuer_account_id: g.seller_account_id,
      customer_id: null,
      bill_to_account_id: g.buyer_account_id,
      currency: g.currency,
      issued_at: at,
      lines: untaxedLines(g)
    })))
    const ids = yield* makeIds("inv", groups.length)
    const invoices = groups.map((group, i) => toIssue(group, taxed[i]!, ids[i]!, run.period, run.id))
    yield* repo.issue(invoices, run.account_id, at)
    return invoices.length
  })

const toIssue = (
  group: UpstreamGroup,
  taxed: ReadonlyArray<{ readonly line: InvoiceLineFields; readonly exemption_reason: string | null }>,
  id: string,
  period: BillingMonth,
  runId: string
): UpstreamToIssue => {
  const currency = group.currency
  const zero = BigDecimal.make(0n, 0)
  const subtotal = BigDecimal.sumAll(taxed.map((t) => t.line.amount))
  const groups = breakdown(taxed.map((t) => ({ ...t.line, exemption_reason: t.exemption_reason })), currency)
  const tax: ReadonlyArray<InvoiceTax> = groups.map((g) => ({
    category: g.category,
    rate: g.rate,
    taxable_amount: money(g.taxable_amount, currency),
    tax_amount: money(g.tax_amount, currency),
    exemption_reason: g.exemption_reason
  }))
  const tax_total = groups.reduce((sum, g) => BigDecimal.sum(sum, g.tax_amount), zero)
  return {
    id,
    issuer_account_id: group.seller_account_id,
    bill_to_account_id: group.buyer_account_id,
    lineage: group.buyer_lineage,
    currency,
    period,
    billing_run_id: runId,
    lines: taxed.map((t) => ({
      description: t.line.description,
      plan_id: t.line.plan_id,
      sku_id: t.line.sku_id,
      quantity: t.line.quantity ?? zero,
      amount: t.line.amount,
      tax_rate: t.line.tax_rate,
      tax_category: t.line.tax_category,
      tax_reason: t.exemption_reason
    })),
    subtotal,
    tax,
    tax_total,
    total: BigDecimal.sum(subtotal, tax_total)
  }
}
