import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { InvoiceToIssue } from "../invoices/ports.js"
import { Invoices } from "../invoices/service.js"
import { makeIds } from "../shared/ids.js"
import type { Currency } from "../shared/money.js"
import { now } from "../shared/time.js"
import { monthBounds } from "./months.js"
import { inputsWithUsage, key, periodKey, searchWindow } from "./inputs.js"
import type { BillingRun } from "./model.js"
import {
  billedPeriods,
  duePeriods,
  invoiceRequests,
  oneOffsByCustomer,
  placeLines,
  uniqueInvoices,
  wantedInvoices
} from "./plan.js"
import { BillingInputRepo, BillingInvoiceRepo, BillingRunRepo, type Draft, type PlacedLine } from "./ports.js"
import { TaxCalculator } from "../tax/ports.js"
import { rerateLocked } from "./rerate.js"
import { ChannelCostRepo } from "../channel/ports.js"

/**
 * One chunk of a run, in the caller's transaction: a pending chunk of its customers claimed
 * (`SKIP LOCKED`: other executors take the others), their due subscription periods, usage and
 * one-offs read set-based, the chunk planned (plan.ts), the periods claimed (only what this
 * transaction claims is billed), the lines and totals written, and the chunk marked done.
 * Answers false when no chunk was left to claim.
 */
export const billNextChunk = (runId: string) =>
  Effect.gen(function* () {
    const queue = yield* BillingRunRepo
    const reads = yield* BillingInputRepo
    const writes = yield* BillingInvoiceRepo
    const claimed = yield* queue.claimChunk(runId)
    if (Option.isNone(claimed)) return false
    const { chunk, run } = claimed.value
    const at = yield* now
    const customers = yield* reads.customersIn(run.account_id, claimed.value.after_customer, claimed.value.last_customer)
    if (customers.length === 0) {
      yield* queue.completeChunk(run.id, chunk, { customers: 0, subscriptions: 0, invoices: 0 }, at)
      return true
    }

    // Read.
    const window = searchWindow(run.period)
    const subscriptions = yield* reads.subscriptionsOf(customers.map((c) => c.id), window.from, window.to)
    const due = duePeriods(subscriptions, run.period, at)
    const keys = due.map(({ period, subscription }) => periodKey(subscription, period))
    // Late usage for these periods, still uncommitted, holds a share lock on the subscription:
    // wait for it, so the usage read next is all there is.
    yield* reads.lockSubscriptions(due.map(({ subscription }) => subscription.id))
    const inputs = yield* inputsWithUsage(keys, yield* reads.historyOf(keys))
    const oneOffs = oneOffsByCustomer(
      yield* reads.oneOffsOf(customers.map((c) => ({ id: c.id, before: monthBounds(run.period, c.timezone).end })))
    )

    // Plan, and write.
    const billed = billedPeriods(due, inputs)
    const unique = uniqueInvoices(wantedInvoices(billed, oneOffs))
    const requests = invoiceRequests(unique, new Map(customers.map((c) => [c.id, c])), run, yield* makeIds("inv", unique.length))
    const { drafts, toIssue } = yield* invoicesFor(run, requests, at)
    const draftOf = new Map(drafts.map((d) => [key(d.customer_id, d.currency), d.id]))
    const invoiceOf = (customerId: string, currency: Currency) => draftOf.get(key(customerId, currency))!

    // Exactly once: a period is billed by the transaction that claims it. One with no line has
    // nothing to bill.
    const claimable = billed.filter((b) => b.lines.length > 0)
    const claimedPeriods = new Set(yield* writes.claimPeriods(claimable.map((b) => ({
      ...periodKey(b.subscription, b.period),
      invoice_id: invoiceOf(b.subscription.customer_id, b.lines[0]!.currency)
    }))))
    // The lines go with what each tier above the customers pays for them (docs/channel.md
    // "Channel costs"), built with them from the prices read for the chunk.
    const lines = yield* taxNewInvoices(placeLines(claimable, claimedPeriods, oneOffs, invoiceOf, run.period), toIssue, at)
    yield* writes.insertLines(lines, at)
    // One-offs are costed from their stored lines (their SKUs' prices are not read with the
    // periods'), before the invoices are issued: issuing takes each issuer's number sequence,
    // locked until commit, and the chunks of one issuer wait on it.
    const withOneOffs = [...oneOffs.keys()].flatMap((customerId) =>
      [...new Set(oneOffs.get(customerId)!.map((l) => invoiceOf(customerId, l.currency)))])
    yield* (yield* ChannelCostRepo).record(withOneOffs, at, toIssue)
    const made = yield* settleInvoices(run, drafts, toIssue, new Set(lines.map((l) => l.invoice_id)), at)
    yield* queue.completeChunk(run.id, chunk, {
      customers: customers.length,
      subscriptions: claimedPeriods.size,
      invoices: made
    }, at)
    return true
  })

/**
 * The invoices the chunk's lines go on. With a grace period each is a draft (the customer's open
 * one, else a new one). Without one, a customer's open draft (left by a run with a grace period)
 * takes its lines and is finalized, and the others are stored only at the end, finalized, if
 * they got lines (`toIssue`): one write, not a draft and then its update.
 */
const invoicesFor = (run: BillingRun, requests: ReadonlyArray<InvoiceToIssue>, at: DateTime.Utc) =>
  Effect.gen(function* () {
    const writes = yield* BillingInvoiceRepo
    if (run.grace_period_seconds > 0) {
      const drafts = yield* writes.upsertDrafts(requests, DateTime.add(at, { seconds: run.grace_period_seconds }), at)
      return { drafts, toIssue: [] as ReadonlyArray<InvoiceToIssue> }
    }
    const open = new Map((yield* writes.openDrafts(requests)).map((d) => [key(d.customer_id, d.currency), d]))
    const toIssue: Array<InvoiceToIssue> = []
    const drafts = requests.map((r): Draft => {
      const draft = open.get(key(r.customer_id, r.currency))
      if (draft !== undefined) return draft
      toIssue.push(r)
      return { id: r.id, customer_id: r.customer_id, currency: r.currency, created: true, needs_rerate: false }
    })
    return { drafts, toIssue }
  })

/**
 * The lines of the invoices issued at once taxed before they are written (one write per line,
 * one tax call per chunk); lines on drafts are taxed with their draft when it finalizes or its
 * totals are shown.
 */
const taxNewInvoices = (lines: ReadonlyArray<PlacedLine>, toIssue: ReadonlyArray<InvoiceToIssue>, at: DateTime.Utc) =>
  Effect.gen(function* () {
    if (toIssue.length === 0) return lines
    const linesOf = new Map<string, Array<PlacedLine>>(toIssue.map((i) => [i.id, []]))
    for (const placed of lines) linesOf.get(placed.invoice_id)?.push(placed)
    const groups = toIssue.filter((i) => linesOf.get(i.id)!.length > 0)
    const taxed = yield* (yield* TaxCalculator).taxLines(groups.map((i) => ({
      issuer_account_id: i.issuer_account_id,
      customer_id: i.customer_id,
      currency: i.currency,
      issued_at: at,
      lines: linesOf.get(i.id)!.map((p) => p.line)
    })))
    const taxedOf = new Map<PlacedLine, PlacedLine>()
    groups.forEach((invoice, g) => linesOf.get(invoice.id)!.forEach((placed, n) => {
      const { exemption_reason, line, priced_amount } = taxed[g]![n]!
      taxedOf.set(placed, placed.costs === undefined
        ? { invoice_id: placed.invoice_id, line, tax: { exemption_reason, priced_amount } }
        : { invoice_id: placed.invoice_id, line, tax: { exemption_reason, priced_amount }, costs: placed.costs })
    }))
    return lines.map((placed) => taxedOf.get(placed) ?? placed)
  })

/**
 * With a grace period: the drafts' totals shown meanwhile, and the new drafts no line went on
 * deleted. Without: the open drafts re-rated and finalized, the new invoices issued. Answers the
 * number of invoices the chunk made.
 */
const settleInvoices = (
  run: BillingRun,
  drafts: ReadonlyArray<Draft>,
  toIssue: ReadonlyArray<InvoiceToIssue>,
  placed: ReadonlySet<string>,
  at: DateTime.Utc
) =>
  Effect.gen(function* () {
    const writes = yield* BillingInvoiceRepo
    const created = drafts.filter((d) => d.created).map((d) => d.id)
    if (run.grace_period_seconds > 0) {
      // Finalizing sums the lines itself; drafts that wait show their totals (tax included) meanwhile:
      // the chunk's lines are taxed in one call.
      yield* (yield* TaxCalculator).taxInvoices(drafts.map((d) => d.id))
      yield* writes.refreshTotals(drafts.map((d) => d.id), at)
      // Only a new draft none of the lines went on can be empty (its periods were billed by
      // another transaction meanwhile).
      return created.length - (yield* writes.deleteEmptyDrafts(created.filter((id) => !placed.has(id))))
    }
    const invoices = yield* Invoices
    const open = drafts.filter((d) => !d.created)
    yield* rerateLocked(open.filter((d) => d.needs_rerate).map((d) => d.id))
    yield* invoices.finalizeMany(open.map((d) => d.id))
    return (yield* invoices.issueMany(toIssue, at)).length
  })
