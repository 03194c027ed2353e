import { BigDecimal, Cause, Config, Context, DateTime, Duration, Effect, Layer, Option, Schema } from "effect"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireAdmin, requireKind } from "../identity/policy.js"
import { type BillingMonth, InvoiceLine, type InvoiceLineFields } from "../invoices/model.js"
import type { InvoiceToIssue } from "../invoices/ports.js"
import { Invoices } from "../invoices/service.js"
import { InvalidState, ValidationError } from "../shared/errors.js"
import { makeId, makeIds } from "../shared/ids.js"
import { type Currency, money } from "../shared/money.js"
import { Transactor } from "../shared/transactor.js"
import {
  type BilledLine,
  type BillableSubscription,
  billingMonthOf,
  creditLines,
  type HistoryRow,
  monthBounds,
  oneOffLines,
  periodContaining,
  periodEndingIn,
  type PlanPrice,
  type SkuPricing,
  type SubscriptionPeriod,
  subscriptionLines,
  totalsOf,
  usageLines
} from "./build.js"
import { BillingRun, type BillingRunId, UpcomingInvoice } from "./model.js"
import { BillingRepo, type Draft, type PeriodKey, type PricedHistoryRow, type UsageTotal } from "./ports.js"
import { now } from "../shared/time.js"

/**
 * Customers per chunk: each chunk is one transaction of a fixed number of statements. Smaller
 * chunks keep the executors out of step (one in Node while the others are in the database) and
 * leave a shorter last chunk; 250 ran a tenth faster than 500 in bench/billing.
 */
export const CHUNK_SIZE = 250

/**
 * Chunks a run bills at once in one process (PROVISIO_BILLING_WORKERS, default 4): one builds its
 * lines in Node while the others' statements run in the database. Four ran about a tenth faster
 * than three in bench/billing once usage was rated in Node (the chunks' database work got shorter).
 */
const workersConfig = Config.integer("PROVISIO_BILLING_WORKERS").pipe(Config.withDefault(4), Effect.orDie)

/** A pending or running run whose heartbeat is younger than this is still at work: a new start answers it. */
export const HEARTBEAT_TIMEOUT = Duration.seconds(60)

/** Drafts the scheduler finalizes per transaction. */
const DUE_BATCH = 200
const MAX_DUE_BATCHES = 1_000

const encodeRun = Schema.encode(BillingRun)

/**
 * A duration such as "2 hours", "3 days", "90 minutes" (or a number of seconds) as whole seconds;
 * none when it is not one.
 */
export const parseGracePeriod = (text: string): Option.Option<number> => {
  const trimmed = text.trim()
  if (/^\d+$/.test(trimmed)) return Option.some(Number(trimmed))
  return Duration.decodeUnknown(trimmed).pipe(
    Option.filter((d) => Duration.isFinite(d) && Duration.toMillis(d) >= 0),
    Option.map((d) => Math.ceil(Duration.toMillis(d) / 1000))
  )
}

const GRACE_MESSAGE = "must be a duration such as \"2 hours\" or \"3 days\" (seconds, minutes, hours, days, weeks), or 0"

/** A map key of two strings. */
const key = (a: string, b: string) => `${a}\u0000${b}`

/** The inputs build.ts needs for a set of subscription periods, indexed. */
const indexInputs = (
  history: ReadonlyArray<PricedHistoryRow>,
  usage: ReadonlyArray<UsageTotal>,
  skus: ReadonlyArray<SkuPricing>
) => {
  const rows = new Map<string, Array<HistoryRow>>()
  const plans = new Map<string, PlanPrice>()
  for (const h of history) {
    const list = rows.get(h.subscription_id) ?? []
    list.push(h.row)
    rows.set(h.subscription_id, list)
    plans.set(key(h.plan.plan_id, String(h.plan.version)), h.plan)
  }
  const skuById = new Map(skus.map((s) => [s.id, s]))
  const usageOf = new Map<string, Array<{ sku: SkuPricing; quantity: BigDecimal.BigDecimal }>>()
  for (const u of usage) {
    const sku = skuById.get(u.sku_id)
    if (sku === undefined) continue
    const k = key(u.subscription_id, String(DateTime.toEpochMillis(u.period_start)))
    const list = usageOf.get(k) ?? []
    list.push({ sku, quantity: u.quantity })
    usageOf.set(k, list)
  }
  const planPrice = (planId: string, version: number) => {
    const plan = plans.get(key(planId, String(version)))
    if (plan === undefined) throw new RangeError(`plan ${planId} v${version} has no stored version`)
    return plan
  }
  return {
    historyOf: (subscriptionId: string) => rows.get(subscriptionId) ?? [],
    usageOf: (subscriptionId: string, start: DateTime.Utc) =>
      usageOf.get(key(subscriptionId, String(DateTime.toEpochMillis(start)))) ?? [],
    planPrice
  }
}


const periodKey = (subscription: BillableSubscription, period: SubscriptionPeriod): PeriodKey => ({
  subscription_id: subscription.id,
  period_start: period.start,
  period_end: period.end
})

/** How far back a period ending in a month may start (a yearly one), with a day of slack for time zones. */
const searchWindow = (month: string) => {
  const bounds = monthBounds(month, "UTC")
  return {
    from: DateTime.subtract(bounds.start, { days: 368 }),
    to: DateTime.add(bounds.end, { days: 2 })
  }
}

export const make = Effect.gen(function* () {
  const repo = yield* BillingRepo
  const invoices = yield* Invoices
  const log = yield* EventLog
  const transactor = yield* Transactor

  /** build.ts's inputs for these periods: the history given, their usage totals and the SKUs pricing them. */
  const inputsWithUsage = (periods: ReadonlyArray<PeriodKey>, history: ReadonlyArray<PricedHistoryRow>) =>
    Effect.gen(function* () {
      const usage = yield* repo.usageOf(periods)
      return indexInputs(history, usage, yield* repo.skus([...new Set(usage.map((u) => u.sku_id))]))
    })

  const requireBiller = (principal: Principal, action: string) =>
    Effect.zipRight(requireKind(principal, ["platform", "distributor", "partner"], action), requireAdmin(principal))

  const gracePeriodSeconds = (given: string | undefined) =>
    Effect.gen(function* () {
      const text = given ??
        (yield* Config.string("PROVISIO_BILLING_GRACE_PERIOD").pipe(Config.withDefault("0"), Effect.orDie))
      return yield* Option.match(parseGracePeriod(text), {
        onNone: () => Effect.fail(ValidationError.of("grace_period", GRACE_MESSAGE)),
        onSome: Effect.succeed
      })
    })

  // Starting and reading runs -----------------------------------------------------------------

  /**
   * A run of the caller's account for `period`: the one still at work (pending or running with a
   * heartbeat younger than a minute), else a new pending one. `created` says which; the caller
   * executes a created run (`executeRun`).
   */
  const startRun = Effect.fn("Billing.startRun")(function* (
    principal: Principal,
    input: { readonly period: BillingMonth; readonly grace_period?: string | undefined }
  ) {
    yield* requireBiller(principal, "start billing runs")
    const grace = yield* gracePeriodSeconds(input.grace_period)
    const at = yield* now
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const live = yield* repo.findLiveRun(principal.account_id, input.period, DateTime.subtract(at, { millis: Duration.toMillis(HEARTBEAT_TIMEOUT) }))
      if (Option.isSome(live)) return { run: live.value.run, created: false }
      const run = new BillingRun({
        id: (yield* makeId("brn")) as BillingRunId,
        account_id: principal.account_id,
        period: input.period,
        status: "pending",
        grace_period_seconds: grace,
        customers_total: null,
        customers_processed: 0,
        subscriptions_billed: 0,
        invoices_created: 0,
        error: null,
        started_at: null,
        completed_at: null,
        created_at: at,
        updated_at: at
      })
      yield* repo.insertRun({ run, lineage: principal.lineage, heartbeat_at: null })
      return { run, created: true }
    }))
  })

  const getRun = Effect.fn("Billing.getRun")(function* (principal: Principal, id: string) {
    return (yield* repo.findRun(id).pipe(reachableBy(principal, "billing run", id))).run
  })

  // Re-rating ---------------------------------------------------------------------------------

  /**
   * Inside a transaction: the usage lines and totals of the flagged drafts among `ids` (every
   * flagged draft when undefined) computed again from the usage now stored; the flag cleared.
   * Answers the drafts re-rated.
   */
  const rerateLocked = (ids: ReadonlyArray<string> | undefined) =>
    Effect.gen(function* () {
      const flagged = yield* repo.lockFlaggedDrafts(ids)
      if (flagged.length === 0) return []
      const draftIds = flagged.map((d) => d.id)
      const periods = yield* repo.billedPeriodsOf(draftIds)
      const inputs = yield* inputsWithUsage(periods, [])
      // Each period's usage goes back on its own draft; lines in another currency are on that
      // currency's invoice, which is not re-rated here.
      const currencyOf = new Map(flagged.map((d) => [d.id, d.currency]))
      const lines: Array<{ invoice_id: string; line: InvoiceLineFields }> = []
      for (const p of periods) {
        const period = { start: p.period_start, end: p.period_end }
        for (const { currency, line } of usageLines(p.subscription, period, inputs.usageOf(p.subscription_id, p.period_start))) {
          if (currency === currencyOf.get(p.invoice_id)) lines.push({ invoice_id: p.invoice_id, line })
        }
      }
      yield* repo.deleteUsageLines(draftIds)
      yield* repo.insertLines(lines)
      yield* repo.refreshTotals(draftIds, yield* now)
      yield* repo.clearRerate(draftIds)
      return draftIds
    })

  const rerate = Effect.fn("Billing.rerate")(function* (invoiceIds: ReadonlyArray<string>) {
    return yield* transactor.withTransaction(rerateLocked(invoiceIds))
  })

  // A run ---------------------------------------------------------------------------------------

  /**
   * One chunk of a run, in the caller's transaction: a pending chunk of its customers claimed
   * (`SKIP LOCKED`: other executors take the others), their due subscription periods, usage and
   * one-offs loaded set-based, their lines built, the periods claimed (only what this
   * transaction claims is billed), the lines and totals written, and the chunk marked done.
   * Answers false when no chunk was left to claim.
   */
  const billNextChunk = (runId: string) =>
    Effect.gen(function* () {
      const claimed = yield* repo.claimChunk(runId)
      if (Option.isNone(claimed)) return false
      const { chunk, run } = claimed.value
      const at = yield* now
      const customers = yield* repo.customersIn(run.account_id, claimed.value.after_customer, claimed.value.last_customer)
      if (customers.length === 0) {
        yield* repo.completeChunk(run.id, chunk, { customers: 0, subscriptions: 0, invoices: 0 }, at)
        return true
      }
      const month = run.period
      const window = searchWindow(month)
      const subscriptions = yield* repo.subscriptionsOf(customers.map((c) => c.id), window.from, window.to)
      // Billed in arrears: a period of the month that has not ended yet waits for a later run.
      const due = subscriptions.flatMap((subscription) => {
        const period = periodEndingIn(subscription, month)
        return period === undefined || DateTime.greaterThan(period.end, at) ? [] : [{ subscription, period }]
      })
      const keys = due.map(({ period, subscription }) => periodKey(subscription, period))
      // Late usage for these periods, still uncommitted, holds a share lock on the subscription:
      // wait for it, so the usage read next is all there is.
      yield* repo.lockSubscriptions(due.map(({ subscription }) => subscription.id))
      const inputs = yield* inputsWithUsage(keys, yield* repo.historyOf(keys))
      const oneOffs = yield* repo.oneOffsOf(customers.map((c) => ({ id: c.id, before: monthBounds(month, c.timezone).end })))

      // What each subscription period bills, as the preview builds it: the recurring fee, then
      // its usage rated from the period's running totals.
      const billed = due
        .map(({ period, subscription }) => ({
          subscription,
          period,
          lines: subscriptionLines(
            subscription,
            period,
            inputs.historyOf(subscription.id),
            inputs.planPrice,
            inputs.usageOf(subscription.id, period.start)
          )
        }))
        .sort((a, b) => (a.subscription.id < b.subscription.id ? -1 : 1))
      const oneOffsByCustomer = new Map<string, Array<BilledLine>>()
      for (const { customer_id, item } of oneOffs) {
        const list = oneOffsByCustomer.get(customer_id) ?? []
        list.push(...oneOffLines([item]))
        oneOffsByCustomer.set(customer_id, list)
      }

      // One invoice per customer and currency that may have something to bill, in a fixed order
      // (locks). With a grace period each is a draft (the customer's open one, else a new one);
      // those that end up with no line are deleted below. Without one, a customer's open draft
      // (left by a run with a grace period) takes its lines and is finalized, and the others are
      // stored only at the end, finalized, if they got lines (`issueMany`): one write, not a
      // draft and then its update.
      const customerById = new Map(customers.map((c) => [c.id, c]))
      const toIssue: Array<InvoiceToIssue> = []
      const draftsFor = (wanted: ReadonlyArray<{ readonly customer_id: string; readonly currency: Currency }>) =>
        Effect.gen(function* () {
          const unique = [...new Map(wanted.map((w) => [key(w.customer_id, w.currency), w]))]
            .sort(([a], [b]) => (a < b ? -1 : 1))
          const ids = yield* makeIds("inv", unique.length)
          const requests: Array<InvoiceToIssue> = []
          for (const [i, [, w]] of unique.entries()) {
            const customer = customerById.get(w.customer_id)!
            requests.push({
              id: ids[i]!,
              customer_id: w.customer_id,
              lineage: customer.lineage,
              issuer_account_id: customer.partner_id,
              currency: w.currency,
              period: month,
              billing_run_id: run.id
            })
          }
          if (run.grace_period_seconds > 0) {
            return yield* repo.upsertDrafts(requests, DateTime.add(at, { seconds: run.grace_period_seconds }), at)
          }
          const open = new Map((yield* repo.openDrafts(requests)).map((d) => [key(d.customer_id, d.currency), d]))
          return requests.map((r): Draft => {
            const draft = open.get(key(r.customer_id, r.currency))
            if (draft !== undefined) return draft
            toIssue.push(r)
            return { id: r.id, customer_id: r.customer_id, currency: r.currency, created: true, needs_rerate: false }
          })
        })
      const drafts = yield* draftsFor([
        ...billed.flatMap((b) => b.lines.map((l) => ({ customer_id: b.subscription.customer_id, currency: l.currency }))),
        ...[...oneOffsByCustomer].flatMap(([customer_id, lines]) => lines.map((l) => ({ customer_id, currency: l.currency })))
      ])
      const draftOf = new Map(drafts.map((d) => [key(d.customer_id, d.currency), d.id]))
      const invoiceOf = (customerId: string, currency: Currency) => draftOf.get(key(customerId, currency))!

      // Exactly once: a period is billed by the transaction that claims it. One with no line has
      // nothing to bill.
      const claimable = billed.filter((b) => b.lines.length > 0)
      const claimedPeriods = new Set(yield* repo.claimPeriods(claimable.map((b) => ({
        ...periodKey(b.subscription, b.period),
        invoice_id: invoiceOf(b.subscription.customer_id, b.lines[0]!.currency)
      }))))
      // In the preview's order: each subscription's lines (subscriptions by id), then the one-offs.
      const lines: Array<{ invoice_id: string; line: InvoiceLineFields }> = []
      for (const b of claimable) {
        if (!claimedPeriods.has(b.subscription.id)) continue
        for (const l of b.lines) lines.push({ invoice_id: invoiceOf(b.subscription.customer_id, l.currency), line: l.line })
      }
      for (const [customerId, list] of [...oneOffsByCustomer].sort(([a], [b]) => (a < b ? -1 : 1))) {
        for (const l of list) lines.push({ invoice_id: invoiceOf(customerId, l.currency), line: l.line })
      }
      yield* repo.insertLines(lines)
      const created = drafts.filter((d) => d.created).map((d) => d.id)
      let made: number
      if (run.grace_period_seconds > 0) {
        // Finalizing sums the lines itself; drafts that wait show their totals meanwhile.
        yield* repo.refreshTotals(drafts.map((d) => d.id), at)
        // Only a new draft none of the lines above went on can be empty (its periods were billed
        // by another transaction meanwhile).
        const placed = new Set(lines.map((l) => l.invoice_id))
        made = created.length - (yield* repo.deleteEmptyDrafts(created.filter((id) => !placed.has(id))))
      } else {
        const open = drafts.filter((d) => !d.created)
        yield* rerateLocked(open.filter((d) => d.needs_rerate).map((d) => d.id))
        yield* invoices.finalizeMany(open.map((d) => d.id))
        made = (yield* invoices.issueMany(toIssue, at)).length
      }
      yield* repo.completeChunk(run.id, chunk, {
        customers: customers.length,
        subscriptions: claimedPeriods.size,
        invoices: made
      }, at)
      return true
    })

  /**
   * Does the work of a run: `workers` fibers bill its pending chunks (each one transaction, as
   * executors in other processes may at the same time), then the run is marked completed
   * (`billing_run.completed`) once no chunk is left. A chunk another executor holds is waited
   * for; one it left behind when it died is billed here. A failure marks the run failed with the
   * reason. Running it again (or a new run of the same month) bills only what is not billed yet.
   * `maxChunks` stops it after that many chunks, as a crash would (tests).
   */
  const executeRun = (
    runId: string,
    onProgress?: (run: BillingRun) => Effect.Effect<void>,
    options: { readonly chunkSize?: number; readonly maxChunks?: number; readonly workers?: number } = {}
  ) =>
    Effect.gen(function* () {
      const workers = Math.max(1, options.workers ?? (yield* workersConfig))
      const started = yield* transactor.withTransaction(
        Effect.flatMap(now, (at) => repo.markRunning(runId, at, Math.max(1, options.chunkSize ?? CHUNK_SIZE)))
      )
      if (started.status !== "running") return started
      if (onProgress) yield* onProgress(started)
      const current = Effect.map(repo.findRun(runId), Option.match({ onNone: () => started, onSome: (s) => s.run }))
      let budget = options.maxChunks ?? Infinity
      const worker = Effect.gen(function* () {
        while (budget > 0) {
          budget -= 1
          if (!(yield* transactor.withTransaction(billNextChunk(runId)))) {
            budget += 1
            return
          }
          if (onProgress) yield* Effect.flatMap(current, onProgress)
        }
      })
      for (;;) {
        yield* Effect.all(Array.from({ length: workers }, () => worker), { concurrency: "unbounded", discard: true })
        if (budget <= 0) return yield* current
        // What is still pending is another executor's, or was left by one that died: wait for it.
        const pending = yield* transactor.withTransaction(repo.awaitPendingChunks(runId))
        if (pending === 0) break
        const run = yield* current
        if (run.status !== "running") return run
      }
      const completed = yield* transactor.withTransaction(Effect.gen(function* () {
        const done = yield* repo.completeRun(runId, yield* now)
        if (Option.isSome(done)) {
          const data = yield* Effect.orDie(encodeRun(done.value.run))
          yield* log.append([yield* newEvent("billing_run.completed", { customer_id: null, lineage: done.value.lineage }, { billing_run: data })])
        }
        return done
      }))
      return Option.isSome(completed) ? completed.value.run : yield* current
    }).pipe(
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.failCause(cause)
          : Effect.gen(function* () {
            yield* Effect.logError("billing run failed", cause)
            const reason = Cause.squash(cause)
            const message = reason instanceof Error ? reason.message : String(reason)
            yield* repo.failRun(runId, message, yield* now).pipe(Effect.ignore)
            return yield* Effect.failCause(cause)
          })
      ),
      Effect.withSpan("Billing.executeRun")
    )

  // Finalizing --------------------------------------------------------------------------------

  /** `POST /invoices/{id}/finalize`: an admin of the issuing channel finalizes a draft now. */
  const finalize = Effect.fn("Billing.finalize")(function* (principal: Principal, invoiceId: string) {
    const invoice = yield* invoices.getInvoice(principal, invoiceId)
    yield* requireBiller(principal, "finalize invoices")
    if (invoice.status !== "draft") {
      return yield* new InvalidState({ message: `invoice ${invoiceId} is ${invoice.status}: only a draft can be finalized` })
    }
    yield* transactor.withTransaction(Effect.gen(function* () {
      const locked = yield* repo.lockInvoice(invoiceId)
      if (Option.isNone(locked) || locked.value.status !== "draft") {
        return yield* new InvalidState({ message: `invoice ${invoiceId} is no longer a draft` })
      }
      yield* rerateLocked([invoiceId])
      yield* invoices.finalizeMany([invoiceId])
    }))
    return yield* invoices.getInvoice(principal, invoiceId)
  })

  /**
   * The scheduler's tick: re-rates every flagged draft, then finalizes the drafts whose grace
   * period has ended, in batches (each one transaction).
   */
  const finalizeDue = Effect.gen(function* () {
    const rerated = yield* transactor.withTransaction(rerateLocked(undefined))
    let finalized = 0
    for (let batch = 0; batch < MAX_DUE_BATCHES; batch++) {
      const at = yield* now
      const done = yield* transactor.withTransaction(Effect.gen(function* () {
        const due = yield* repo.dueDrafts(at, DUE_BATCH)
        if (due.length === 0) return -1
        yield* rerateLocked(due)
        return (yield* invoices.finalizeMany(due)).length
      }))
      if (done <= 0) break
      finalized += done
    }
    return { rerated: rerated.length, finalized }
  }).pipe(Effect.withSpan("Billing.finalizeDue"))

  // Preview -----------------------------------------------------------------------------------

  /**
   * The customer's next invoices as they would be now, one per currency and month: the current
   * period of each subscription with its changes and usage so far, the one-offs not yet
   * invoiced, and the credit that would apply. Writes nothing.
   */
  const preview = Effect.fn("Billing.preview")(function* (principal: Principal, customerId: string) {
    const customer = yield* repo.customer(customerId).pipe(reachableBy(principal, "customer", customerId))
    const at = yield* now
    const subscriptions = yield* repo.subscriptionsOf(
      [customer.id],
      DateTime.subtract(at, { days: 368 }),
      DateTime.add(at, { days: 368 })
    )
    const current = subscriptions.map((subscription) => ({ subscription, period: periodContaining(subscription, at) }))
    const keys = current.map(({ period, subscription }) => periodKey(subscription, period))
    const inputs = yield* inputsWithUsage(keys, yield* repo.historyOf(keys))
    const oneOffs = yield* repo.oneOffsOf([{ id: customer.id, before: DateTime.add(at, { millis: 1 }) }])
    const credits = yield* repo.creditsOf(customer.id)

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
          inputs.planPrice,
          inputs.usageOf(subscription.id, period.start)
        )
      )
    }
    add(billingMonthOf(DateTime.add(at, { millis: 1 }), customer.timezone), oneOffs.flatMap(({ item }) => oneOffLines([item])))

    const remaining = new Map(credits.map((c) => [c.credit_note_id, c.remaining]))
    return [...groups.values()]
      .sort((a, b) => (key(a.period, a.currency) < key(b.period, b.currency) ? -1 : 1))
      .map((group) => {
        const charges = totalsOf(group.lines, group.currency)
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
        const totals = totalsOf(lines, group.currency)
        return new UpcomingInvoice({
          customer_id: customer.id,
          issuer_account_id: customer.partner_id,
          status: "draft",
          currency: group.currency,
          period: group.period,
          lines,
          subtotal: money(totals.subtotal, group.currency),
          total: money(totals.total, group.currency),
          amount_paid: money(totals.amount_paid, group.currency),
          amount_due: money(totals.amount_due, group.currency)
        })
      })
  })

  return { startRun, getRun, executeRun, rerate, finalize, finalizeDue, preview } as const
})

/**
 * Billing: runs that turn subscription periods, usage and one-off purchases into draft invoices
 * (exactly once per period), re-rating of drafts when late usage arrives, finalization of drafts
 * (now, or when their grace period ends) through `Invoices`, and the upcoming-invoice preview.
 */
export class Billing extends Context.Tag("@provisio/core/Billing")<Billing, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Billing, make)
}
