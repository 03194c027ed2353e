import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { Principal } from "../identity/model.js"
import { reachableBy } from "../identity/policy.js"
import { InvoiceLine, type InvoiceLineFields } from "../invoices/model.js"
import { type Currency, money, roundToMinorUnit } from "../shared/money.js"
import { now } from "../shared/time.js"
import { type BilledLine, creditLines, oneOffLines, subscriptionLines, totalsOf } from "./build.js"
import { billingMonthOf, periodContaining } from "./months.js"
import { inputsWithUsage, key, periodKey } from "./inputs.js"
import { UpcomingInvoice } from "./model.js"
import { BillingInputRepo } from "./ports.js"
import { TaxCalculator } from "../tax/ports.js"
import { breakdown } from "../tax/rules.js"

/**
 * The customer's next invoices as they would be now, one per currency and month: the current
 * period of each subscription with its changes and usage so far, the one-offs not yet
 * invoiced, and the credit that would apply. Writes nothing.
 */
export const preview = (principal: Principal, customerId: string) =>
  Effect.gen(function* () {
    const reads = yield* BillingInputRepo
    const calculator = yield* TaxCalculator
    const customer = yield* reads.customer(customerId).pipe(reachableBy(principal, "customer", customerId))
    const at = yield* now
    const subscriptions = yield* reads.subscriptionsOf(
      [customer.id],
      DateTime.subtract(at, { days: 368 }),
      DateTime.add(at, { days: 368 })
    )
    const current = subscriptions.map((subscription) => ({ subscription, period: periodContaining(subscription, at) }))
    const keys = current.map(({ period, subscription }) => periodKey(subscription, period))
    const inputs = yield* inputsWithUsage(keys, yield* reads.historyOf(keys))
    const oneOffs = yield* reads.oneOffsOf([{ id: customer.id, before: DateTime.add(at, { millis: 1 }) }])
    const credits = yield* reads.creditsOf(customer.id)

    const groups = new Map<string, { currency: Currency; period: string; lines: Array<InvoiceLineFields> }>()
    const add = (period: string, billed: ReadonlyArray<BilledLine>) => {
      for (const { currency, line } of billed) {
        const k = key(period, currency)
        const group = groups.get(k) ?? { currency, period, lines: [] }
        group.lines.push(line)
        groups.set(k, group)
      }
    }
    for (const { period, subscription } of [...current].sort((a, b) => (a.subscription.id < b.subscription.id ? -1 : 1))) {
      add(
        billingMonthOf(period.end, subscription.time_zone),
        subscriptionLines(
          subscription,
          period,
          inputs.historyOf(subscription.id),
          inputs.planPriceFor(subscription.id),
          inputs.usageOf(subscription.id, period.start)
        )
      )
    }
    add(billingMonthOf(DateTime.add(at, { millis: 1 }), customer.timezone), oneOffs.flatMap(({ item }) => oneOffLines([item])))

    const remaining = new Map(credits.map((c) => [c.credit_note_id, c.remaining]))
    const sorted = [...groups.values()].sort((a, b) => (key(a.period, a.currency) < key(b.period, b.currency) ? -1 : 1))
    // Taxed as a run would tax them, in one call.
    const taxed = yield* calculator.taxLines(sorted.map((group) => ({
      issuer_account_id: customer.partner_id,
      customer_id: customer.id,
      currency: group.currency,
      issued_at: at,
      lines: group.lines
    })))
    return sorted
      .map((group, g) => {
        group.lines = taxed[g]!.map((t) => t.line)
        const tax = breakdown(taxed[g]!.map((t) => ({ ...t.line, exemption_reason: t.exemption_reason })), group.currency)
        const taxTotal = tax.reduce((sum, t) => BigDecimal.sum(sum, t.tax_amount), roundToMinorUnit(BigDecimal.make(0n, 0), group.currency))
        const charges = totalsOf(group.lines, group.currency)
        // Credit is applied after tax: up to the gross.
        charges.subtotal = BigDecimal.sum(charges.subtotal, taxTotal)
        const available = credits
          .filter((c) => c.currency === group.currency)
          .map((c) => ({ credit_note_id: c.credit_note_id, remaining: remaining.get(c.credit_note_id)! }))
        const applied = creditLines(charges.subtotal, available)
        for (const line of applied) {
          const id = line.credit_note_id!
          remaining.set(id, BigDecimal.sum(remaining.get(id)!, line.amount))
        }
        // The answer is encoded by the schema, which takes instances.
        const lines = [...group.lines, ...applied].map((line) => new InvoiceLine(line, true))
        const net = totalsOf(lines, group.currency)
        const total = BigDecimal.sum(net.total, taxTotal)
        const totals = { ...net, total, amount_due: BigDecimal.subtract(total, net.amount_paid) }
        return new UpcomingInvoice({
          customer_id: customer.id,
          issuer_account_id: customer.partner_id,
          status: "draft",
          currency: group.currency,
          period: group.period,
          lines,
          subtotal: money(totals.subtotal, group.currency),
          tax: tax.map((t) => ({
            category: t.category,
            rate: t.rate,
            taxable_amount: money(t.taxable_amount, group.currency),
            tax_amount: money(t.tax_amount, group.currency),
            exemption_reason: t.exemption_reason
          })),
          tax_total: money(taxTotal, group.currency),
          total: money(totals.total, group.currency),
          amount_paid: money(totals.amount_paid, group.currency),
          amount_due: money(totals.amount_due, group.currency)
        })
      })
  }).pipe(Effect.withSpan("Billing.preview"))
