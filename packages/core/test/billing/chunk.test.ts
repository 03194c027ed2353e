import { describe, expect, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import type { BillableSubscription, PlanPrice } from "../../src/billing/build"
import { billNextChunk } from "../../src/billing/chunk"
import { BillingRun, type BillingRunId } from "../../src/billing/model"
import { type BillableCustomer, BillingInputRepo, BillingInvoiceRepo, BillingRunRepo, type ChunkProgress } from "../../src/billing/ports"
import type { BillingMonth, InvoiceLineFields } from "../../src/invoices/model"
import type { InvoiceToIssue } from "../../src/invoices/ports"
import { Invoices } from "../../src/invoices/service"
import { money } from "../../src/shared/money"
import { fake } from "../../src/testing/fakes"
import { TaxCalculator } from "../../src/tax/ports"
import { ChannelCostRepo } from "../../src/channel/ports"

/**
 * One chunk of a billing run against fakes of its ports: what it reads is given, what it writes is
 * kept, and the rules between (which periods are due, which lines, on which invoice) run in
 * memory. The database suites are the integration tests; these take milliseconds.
 */

const at = (iso: string) => DateTime.unsafeMake(iso)

const run = (grace_period_seconds = 0) =>
  new BillingRun({
    id: "brn_1" as BillingRunId,
    account_id: "acc_partner",
    period: "2026-11" as BillingMonth,
    status: "running",
    grace_period_seconds,
    customers_total: 1,
    customers_processed: 0,
    subscriptions_billed: 0,
    invoices_created: 0,
    error: null,
    started_at: at("2026-12-01T00:00:00Z"),
    completed_at: null,
    created_at: at("2026-12-01T00:00:00Z"),
    updated_at: at("2026-12-01T00:00:00Z")
  })

const customer: BillableCustomer = { id: "cus_1", partner_id: "acc_partner", lineage: ["acc_p", "acc_partner", "cus_1"], timezone: "UTC" }

/** Monthly from Oct 10: the period Oct 10 - Nov 10 ends in November, Nov 10 - Dec 10 does not. */
const subscription: BillableSubscription = {
  id: "sub_1",
  customer_id: "cus_1",
  product_id: "prd_1",
  parent_subscription_id: null,
  anchor: at("2026-10-10T00:00:00Z"),
  time_zone: "UTC",
  interval: "month",
  created_at: at("2026-10-10T00:00:00Z")
}

const plan: PlanPrice = { plan_id: "pln_1", version: 1, name: "Seat", price: money(BigDecimal.unsafeFromString("10.00"), "EUR"), commitment_months: null }

/** What a chunk wrote, kept by the fakes. */
interface Written {
  lines: Array<{ invoice_id: string; line: InvoiceLineFields }>
  issued: Array<InvoiceToIssue>
  claimed: Array<string>
  progress: Array<ChunkProgress>
}

const ports = (written: Written, options: { readonly alreadyBilled?: boolean } = {}) =>
  Layer.mergeAll(
    fake(BillingRunRepo, {
      claimChunk: () => Effect.succeed(Option.some({ run: run(), chunk: 0, after_customer: null, last_customer: null })),
      completeChunk: (_, __, progress) => Effect.sync(() => void written.progress.push(progress))
    }),
    fake(BillingInputRepo, {
      customersIn: () => Effect.succeed([customer]),
      subscriptionsOf: () => Effect.succeed([subscription]),
      lockSubscriptions: () => Effect.void,
      historyOf: () =>
        Effect.succeed([{
          subscription_id: "sub_1",
          row: { effective_at: subscription.anchor, quantity: 2, plan_id: "pln_1", plan_version: 1, status: "active" as const },
          plan
        }]),
      usageOf: () => Effect.succeed([]),
      skus: () => Effect.succeed([]),
      oneOffsOf: () => Effect.succeed([])
    }),
    fake(BillingInvoiceRepo, {
      openDrafts: () => Effect.succeed([]),
      lockFlaggedDrafts: () => Effect.succeed([]),
      // Another transaction may have billed the period first: then it is not claimed here.
      claimPeriods: (claims) =>
        Effect.sync(() => {
          const ids = options.alreadyBilled ? [] : claims.map((c) => c.subscription_id)
          written.claimed.push(...ids)
          return ids
        }),
      insertLines: (lines) => Effect.sync(() => void written.lines.push(...lines))
    }),
    fake(ChannelCostRepo, { record: () => Effect.void, forgetUsage: () => Effect.void }),
    fake(TaxCalculator, { taxInvoices: () => Effect.void, taxLines: (groups) => Effect.succeed(groups.map((g) => g.lines.map((line) => ({ line, exemption_reason: null, priced_amount: null })))) }),
    fake(Invoices, {
      finalizeMany: () => Effect.succeed([]),
      issueMany: (invoices) => Effect.sync(() => {
        // Only invoices that got lines are issued.
        const placed = invoices.filter((i) => written.lines.some((l) => l.invoice_id === i.id))
        written.issued.push(...placed)
        return placed.map((i) => i.id)
      })
    })
  )

describe("a billing run's chunk, against fakes", () => {
  it.effect("bills the period that ended in the month, once, on one new invoice per customer and currency", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(at("2026-12-01T00:00:00Z")))
      const written: Written = { lines: [], issued: [], claimed: [], progress: [] }
      expect(yield* billNextChunk("brn_1").pipe(Effect.provide(ports(written)))).toBe(true)

      expect(written.claimed).toEqual(["sub_1"])
      expect(written.lines.map((l) => [l.line.kind, l.line.quantity === null ? null : BigDecimal.format(l.line.quantity), BigDecimal.format(l.line.amount)]))
        .toEqual([["recurring", "2", "20"]])
      expect(written.issued).toHaveLength(1)
      expect(written.issued[0]).toMatchObject({ customer_id: "cus_1", currency: "EUR", period: "2026-11", issuer_account_id: "acc_partner" })
      expect(written.lines[0]!.invoice_id).toBe(written.issued[0]!.id)
      expect(written.progress).toEqual([{ customers: 1, subscriptions: 1, invoices: 1 }])
    }))

  it.effect("a period another transaction claimed first puts nothing on an invoice", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(at("2026-12-01T00:00:00Z")))
      const written: Written = { lines: [], issued: [], claimed: [], progress: [] }
      yield* billNextChunk("brn_1").pipe(Effect.provide(ports(written, { alreadyBilled: true })))
      expect(written.lines).toEqual([])
      expect(written.issued).toEqual([])
      expect(written.progress).toEqual([{ customers: 1, subscriptions: 0, invoices: 0 }])
    }))

  it.effect("a method the test did not fake fails the test, naming it", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Effect.flatMap(BillingRunRepo, (repo) => repo.failRun("brn_1", "x", at("2026-12-01T00:00:00Z"))).pipe(
        Effect.provide(fake(BillingRunRepo, {}))
      ))
      expect(String(exit)).toContain("BillingRunRepo.failRun was called, but the test gave no fake of it")
    }))
})
