import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Billing } from "@provisio/core/billing/service"
import { Principal } from "@provisio/core/identity/model"
import { Identity } from "@provisio/core/identity/service"
import * as Effect from "effect/Effect"
import { call, channel, createKey, expectData } from "./harness"
import { awaitRun, createCustomer, events, exampleCatalog, expectError, order, OrderingServer, runDue, SEAT, setNow, subscribe, V1 } from "./ordering-fixtures"

/**
 * Billing runs end to end, on subscriptions made through orders. November 2026 has 30 days;
 * the customers are in UTC and subscribe on Nov 1 at midnight, so their November period runs
 * Nov 1 -> Dec 1 and is billed by the 2026-11 run (in arrears, from Dec 1).
 *
 * The month (the numbers of docs/billing.md):
 * - Ann: 2 UCaaS seats at 12.00, 3 more on Nov 11 -> 2 x 12.00 x 10/30 = 8.00 and
 *   5 x 12.00 x 20/30 = 40.00; 1,500 voice minutes -> 1,000 x 0.020 + 500 x 0.015 = 27.50;
 *   the Teams add-on, 2.50 for the whole month; 120 GB of recording storage bought once
 *   (3 packages of 50 x 2.50 = 7.50). Invoice: 85.50.
 * - Bob: 1 seat, cancelled at once on Nov 16 -> 1 x 12.00 x 15/30 = 6.00.
 * - Cy: 3 seats cancelled at the end of the period -> the whole month, 36.00.
 * - Dee: 4 seats of the 12-month commitment at 10.00 -> installment 1 of 12, 40.00.
 */

const TEAMS = { tenant_domain: "contoso.onmicrosoft.com" }

let transactions = 0

const world = Effect.gen(function* () {
  yield* setNow("2026-11-01T00:00:00Z")
  const catalog = yield* exampleCatalog
  const { distributor, distributorKey, partner, partnerKey } = yield* channel()
  const seat = catalog.plans["UCaaS Seat Monthly"]!
  const ann = yield* createCustomer(partner.id, { name: "Ann" })
  const bob = yield* createCustomer(partner.id, { name: "Bob" })
  const cy = yield* createCustomer(partner.id, { name: "Cy" })
  const dee = yield* createCustomer(partner.id, { name: "Dee" })
  const annSeats = yield* subscribe(ann.id, { plan_id: seat, quantity: 2, characteristics: SEAT }, partnerKey)
  const annTeams = yield* subscribe(
    ann.id,
    { plan_id: catalog.plans["Teams Direct Routing Add-on"], parent_subscription_id: annSeats.id, characteristics: TEAMS },
    partnerKey
  )
  const bobSeat = yield* subscribe(bob.id, { plan_id: seat, quantity: 1, characteristics: SEAT }, partnerKey)
  const cySeats = yield* subscribe(cy.id, { plan_id: seat, quantity: 3, characteristics: SEAT }, partnerKey)
  const deeSeats = yield* subscribe(
    dee.id,
    { plan_id: catalog.plans["UCaaS Seat 12-Month Commitment"], quantity: 4, characteristics: SEAT },
    partnerKey
  )
  expectData(yield* call("POST", `${V1}/subscriptions/${cySeats.id}/cancel`, { key: partnerKey, body: { when: "end_of_billing_period" } }))

  yield* setNow("2026-11-11T10:00:00Z")
  yield* order(ann.id, [{ subscription_id: annSeats.id, quantity: 3 }], partnerKey)
  yield* setNow("2026-11-16T08:00:00Z")
  expectData(yield* call("POST", `${V1}/subscriptions/${bobSeat.id}/cancel`, { key: partnerKey, body: { when: "immediately" } }))
  yield* setNow("2026-11-20T12:00:00Z")
  yield* usage(annSeats.id, "1500", "2026-11-20T11:00:00Z", partnerKey)
  yield* order(ann.id, [{ sku_id: catalog.skus["recording-storage"], quantity: 120 }], partnerKey)
  return {
    catalog,
    distributor,
    distributorKey,
    partner,
    partnerKey,
    customers: { ann, bob, cy, dee },
    subscriptions: { annSeats, annTeams, bobSeat, cySeats, deeSeats }
  }
})

type World = Effect.Effect.Success<typeof world>

const usage = (subscription_id: string, quantity: string, occurred_at: string, key: string) =>
  Effect.gen(function* () {
    const answer = expectData(yield* call("POST", `${V1}/usage`, {
      key,
      body: { records: [{ transaction_id: `t-${++transactions}`, subscription_id, sku_id: "voice-minutes", quantity, occurred_at }] }
    }))
    return answer
  })

/** Dec 1: the scheduler has renewed and cancelled what ended on Nov 30. */
const decemberFirst = Effect.gen(function* () {
  yield* setNow("2026-12-01T00:00:00Z")
  yield* runDue
})

/** Waits (in real time: the run works in a fiber of its own) until the run has finished. */

const startRun = (body: Record<string, unknown>, key?: string) =>
  Effect.map(call("POST", `${V1}/billing/runs`, { key, body }), (a) => expectData(a, 202))

const invoicesOf = (customerId: string) =>
  Effect.map(call("GET", `${V1}/customers/${customerId}/invoices`), (a) => expectData(a) as Array<any>)

/** kind and amount of each line, in order. */
const lineAmounts = (invoice: any) => invoice.lines.map((l: any) => [l.kind, l.amount])

/** What the database holds of billing, counted. */
const counts = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ invoices: number; lines: number; billed: number }>`
    select (select count(*)::int from invoices) as invoices, (select count(*)::int from invoice_lines) as lines,
           (select count(*)::int from billed_periods) as billed`
  return row!
}).pipe(Effect.orDie)

/** How many times each subscription's recurring fee was billed. */
const timesBilled = (subscriptionIds: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ subscription_id: string; n: number }>`
      select subscription_id, count(distinct invoice_id)::int as n from invoice_lines
       where subscription_id = any(${subscriptionIds}::text[]) and kind in ('recurring', 'proration', 'installment')
       group by subscription_id`
    return Object.fromEntries(rows.map((r) => [r.subscription_id, r.n]))
  }).pipe(Effect.orDie)

const allSubscriptions = (w: World) => Object.values(w.subscriptions).map((s) => s.id)

const expectNovember = (w: World) =>
  Effect.gen(function* () {
    const { ann, bob, cy, dee } = w.customers
    const [annInvoice] = yield* invoicesOf(ann.id)
    expect(lineAmounts(annInvoice)).toEqual([
      ["proration", "8.00"],
      ["proration", "40.00"],
      ["usage", "27.50"],
      ["recurring", "2.50"],
      ["one_off", "7.50"]
    ])
    expect(annInvoice.subtotal).toEqual({ amount: "85.50", currency: "EUR" })
    expect(annInvoice.period).toBe("2026-11")
    expect(annInvoice.issuer_account_id).toBe(w.partner.id)
    const usageLine = annInvoice.lines[2]
    expect(usageLine.unit_price).toBeNull()
    expect(usageLine.details.tiers.map((t: any) => [t.units, t.unit_price])).toEqual([["1000", "0.020"], ["500", "0.015"]])
    expect(annInvoice.lines[0].details).toEqual({ days: 10, period_days: 30 })
    expect(lineAmounts((yield* invoicesOf(bob.id))[0])).toEqual([["proration", "6.00"]])
    expect(lineAmounts((yield* invoicesOf(cy.id))[0])).toEqual([["recurring", "36.00"]])
    const [deeInvoice] = yield* invoicesOf(dee.id)
    expect(lineAmounts(deeInvoice)).toEqual([["installment", "40.00"]])
    expect(deeInvoice.lines[0].details).toEqual({ installment: 1, installments: 12 })
  })

describe("billing runs", () => {
  it.layer(OrderingServer, { timeout: 120_000 })("a month of four customers", (it) => {
    it.effect("a run bills each due subscription once, one invoice per customer and currency, and finalizes them (grace 0)", () =>
      Effect.gen(function* () {
        const w = yield* world
        yield* decemberFirst
        const started = yield* startRun({ period: "2026-11" }, w.partnerKey)
        expect(started.status).toMatch(/pending|running|completed/)
        const run = yield* awaitRun(started.id, w.partnerKey)
        expect(run).toMatchObject({
          status: "completed",
          period: "2026-11",
          customers_total: 4,
          customers_processed: 4,
          subscriptions_billed: 5,
          invoices_created: 4,
          error: null
        })
        yield* expectNovember(w)
        const [annInvoice] = yield* invoicesOf(w.customers.ann.id)
        expect(annInvoice.status).toBe("finalized")
        expect(annInvoice.number).toMatch(/^INV-2026-\d{6}$/)
        expect((yield* events({ type: "billing_run.completed" }, w.partnerKey)).map((e) => e.data.billing_run.id)).toContain(started.id)
        // Each invoice's event carries the invoice exactly as the API shows it.
        const finalized = (yield* events({ type: "invoice.finalized", customer_id: w.customers.ann.id }, w.partnerKey))
        expect(finalized.map((e) => e.data.invoice)).toEqual([annInvoice])

        // Run twice: the second finds nothing left to bill.
        const before = yield* counts
        const again = yield* awaitRun((yield* startRun({ period: "2026-11" }, w.partnerKey)).id, w.partnerKey)
        expect(again).toMatchObject({ status: "completed", subscriptions_billed: 0, invoices_created: 0 })
        expect(yield* counts).toEqual(before)
        expect(Object.values(yield* timesBilled(allSubscriptions(w)))).toEqual([1, 1, 1, 1, 1])

        // The partner's runs, newest first, a page at a time; another channel sees none of them.
        const listed = yield* call("GET", `${V1}/billing/runs?limit=1`, { key: w.partnerKey })
        expect(listed.body.data.map((r: any) => r.id)).toEqual([again.id])
        const next = yield* call("GET", `${V1}/billing/runs?limit=1&cursor=${listed.body.meta.page.next_cursor}`, { key: w.partnerKey })
        expect(next.body.data.map((r: any) => r.id)).toEqual([started.id])
        const other = yield* channel()
        expect(expectData(yield* call("GET", `${V1}/billing/runs`, { key: other.partnerKey }))).toEqual([])

        // A finalized invoice cannot be finalized again.
        expectError(yield* call("POST", `${V1}/invoices/${annInvoice.id}/finalize`, { key: w.partnerKey }), 409, "invalid_state")
      }))

    it.effect("a bad month or grace period is 422 naming the field; customers and managers may not start runs", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        expectError(yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-13" } }), 422, "validation_error", "period")
        // Months the database cannot date (the run failed, 'the database could not complete the request'), and the reads of them (a 500).
        for (const period of ["0000-01", "0001-01", "9999-12"]) {
          const run = yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period } })
          expectError(run, 422, "validation_error", "period")
          expect(run.body.error.message).toBe("must be a month from 1900-01 to 9998-12")
          expectError(yield* call("GET", `${V1}/commissions/summary?period=${period}`, { key: partnerKey }), 422, "validation_error", "period")
          expectError(yield* call("GET", `${V1}/billing/summary?period=${period}`, { key: partnerKey }), 422, "validation_error", "period")
          expectError(yield* call("GET", `${V1}/invoices?period=${period}`, { key: partnerKey }), 422, "validation_error", "period")
        }
        expectError(
          yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-11", grace_period: "soon" } }),
          422,
          "validation_error",
          "grace_period"
        )
        // "or a whole number of seconds" (docs/billing.md): as a JSON number too, not 'Expected string, actual 7200'.
        const bySeconds = yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-10", grace_period: 7200 } })
        expect(bySeconds.status).toBe(202)
        expect(bySeconds.body.data.grace_period_seconds).toBe(7200)
        const asText = yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-09", grace_period: "90" } })
        expect(asText.body.data.grace_period_seconds).toBe(90)
        for (const bad of [-5, 1.5, true, "soon"]) {
          const answer = yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-08", grace_period: bad } })
          expectError(answer, 422, "validation_error", "grace_period")
          expect(answer.body.error.message).toBe("must be a duration such as \"2 hours\" or \"3 days\", or a whole number of seconds")
        }
        // A grace period no timestamp can hold was a 500 (the run's grace_period_seconds past an integer): at most 365 days.
        for (const long of ["99999999999 weeks", "9007199254740993", 31536001, "366 days"]) {
          const answer = yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-08", grace_period: long } })
          expectError(answer, 422, "validation_error", "grace_period")
          expect(answer.body.error.message).toBe("must be at most 365 days (31536000 seconds)")
        }
        expect((yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-06", grace_period: "365 days" } })).status).toBe(202)
        // One customer or account named in the body was dropped unseen: the run billed the caller's whole scope.
        for (const field of ["customer_id", "partner_id", "distributor_id"]) {
          const narrowed = yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-07", [field]: "cus_x" } })
          expectError(narrowed, 422, "validation_error", field)
          expect(narrowed.body.error.message).toContain("X-Tenant-ID")
        }
        expect((expectData(yield* call("GET", `${V1}/billing/runs`, { key: partnerKey })) as ReadonlyArray<{ period: string }>)
          .map((run) => run.period)).not.toContain("2026-07")
        const manager = yield* createKey(partner.id, "manager")
        expectError(yield* call("POST", `${V1}/billing/runs`, { key: manager, body: { period: "2026-11" } }), 403, "forbidden")
      }))
  })

  it.layer(OrderingServer, { timeout: 120_000 })("runs at once", (it) => {
    it.effect("two runs over the same customers at the same time bill each subscription once", () =>
      Effect.gen(function* () {
        const w = yield* world
        yield* decemberFirst
        const billing = yield* Billing
        const identity = yield* Identity
        const operator = yield* identity.platformOperator
        // The platform's run and the partner's run overlap on the partner's four customers.
        const a = yield* billing.startRun(operator, { period: "2026-11" as never })
        const partnerAdmin = new Principal({
          ...operator,
          account_id: w.partner.id,
          account_kind: "partner",
          lineage: [operator.account_id, w.distributor.id, w.partner.id]
        })
        const b = yield* billing.startRun(partnerAdmin, { period: "2026-11" as never })
        expect(a.created && b.created).toBe(true)
        const [ra, rb] = yield* Effect.all([
          billing.executeRun(a.run.id, undefined, { chunkSize: 1 }),
          billing.executeRun(b.run.id, undefined, { chunkSize: 1 })
        ], { concurrency: 2 })
        expect([ra.status, rb.status]).toEqual(["completed", "completed"])
        expect(ra.subscriptions_billed + rb.subscriptions_billed).toBe(5)
        expect(Object.values(yield* timesBilled(allSubscriptions(w)))).toEqual([1, 1, 1, 1, 1])
        yield* expectNovember(w)
      }))
  })

  it.layer(OrderingServer, { timeout: 120_000 })("one run, several executors", (it) => {
    it.effect("executors of one run at the same time share its chunks: each subscription billed once, the run completed once", () =>
      Effect.gen(function* () {
        const w = yield* world
        yield* decemberFirst
        const billing = yield* Billing
        const operator = yield* (yield* Identity).platformOperator
        const { run } = yield* billing.startRun(operator, { period: "2026-11" as never })
        // As two processes would: each with its own workers, one customer per chunk.
        const [a, b] = yield* Effect.all([
          billing.executeRun(run.id, undefined, { chunkSize: 1, workers: 2 }),
          billing.executeRun(run.id, undefined, { chunkSize: 1, workers: 2 })
        ], { concurrency: 2 })
        expect([a.status, b.status]).toEqual(["completed", "completed"])
        expect(b).toMatchObject({ customers_processed: 4, subscriptions_billed: 5, invoices_created: 4 })
        expect(Object.values(yield* timesBilled(allSubscriptions(w)))).toEqual([1, 1, 1, 1, 1])
        const completed = (yield* events({ type: "billing_run.completed" })).filter((e) => e.data.billing_run.id === run.id)
        expect(completed).toHaveLength(1)
        yield* expectNovember(w)
      }))
  })

  it.layer(OrderingServer, { timeout: 120_000 })("a run cut short", (it) => {
    it.effect("a run stopped after its first chunk, then started again, bills every subscription exactly once", () =>
      Effect.gen(function* () {
        const w = yield* world
        yield* decemberFirst
        const billing = yield* Billing
        const operator = yield* (yield* Identity).platformOperator
        const first = yield* billing.startRun(operator, { period: "2026-11" as never })
        // Two customers of four, then it stops as a killed process would: running, its heartbeat ageing.
        const cut = yield* billing.executeRun(first.run.id, undefined, { chunkSize: 2, maxChunks: 1 })
        expect(cut).toMatchObject({ status: "running", customers_processed: 2 })
        // While its heartbeat is fresh a new start answers it...
        expect((yield* billing.startRun(operator, { period: "2026-11" as never })).run.id).toBe(first.run.id)
        // ...once it is stale, a new run starts from the beginning and bills only what is left.
        yield* setNow("2026-12-01T00:05:00Z")
        const second = yield* billing.startRun(operator, { period: "2026-11" as never })
        expect(second.created).toBe(true)
        const done = yield* billing.executeRun(second.run.id, undefined, { chunkSize: 2 })
        expect(done.status).toBe("completed")
        expect(cut.subscriptions_billed + done.subscriptions_billed).toBe(5)
        expect(Object.values(yield* timesBilled(allSubscriptions(w)))).toEqual([1, 1, 1, 1, 1])
        // The first one resumed bills its chunks left and finds nothing either.
        const resumed = yield* billing.executeRun(first.run.id)
        expect(resumed).toMatchObject({ status: "completed", customers_processed: 4, subscriptions_billed: cut.subscriptions_billed })
        yield* expectNovember(w)
      }))
  })

  it.layer(OrderingServer, { timeout: 120_000 })("grace period and preview", (it) => {
    it.effect("the preview writes nothing and shows what the run then bills", () =>
      Effect.gen(function* () {
        const w = yield* world
        yield* setNow("2026-11-30T12:00:00Z")
        const before = yield* counts
        const preview = expectData(yield* call("GET", `${V1}/customers/${w.customers.ann.id}/upcoming-invoice`, { key: w.partnerKey }))
        const bobBefore = expectData(yield* call("GET", `${V1}/customers/${w.customers.bob.id}/upcoming-invoice`, { key: w.partnerKey }))
        expect(bobBefore.map((i: any) => lineAmounts(i))).toEqual([[["proration", "6.00"]]])
        expect(yield* counts).toEqual(before)
        expect(preview).toHaveLength(1)
        expect(preview[0]).toMatchObject({ status: "draft", period: "2026-11", currency: "EUR", subtotal: { amount: "85.50" } })
        yield* decemberFirst
        yield* awaitRun((yield* startRun({ period: "2026-11" }, w.partnerKey)).id, w.partnerKey)
        const [invoice] = yield* invoicesOf(w.customers.ann.id)
        expect(invoice.lines).toEqual(preview[0].lines)
        expect(invoice.subtotal).toEqual(preview[0].subtotal)
        // Once billed, Bob's cancelled seat has nothing more to come.
        expect(expectData(yield* call("GET", `${V1}/customers/${w.customers.bob.id}/upcoming-invoice`, { key: w.partnerKey }))).toEqual([])
      }))

    it.effect("the preview is paged like every list: meta.page, ?limit= and ?cursor=, by month then currency", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-10T08:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        // A seat whose first period ends in December, and storage bought now: billed by November's run.
        yield* order(customer.id, [
          { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1, characteristics: SEAT },
          { sku_id: catalog.skus["recording-storage"], quantity: 1 }
        ], partnerKey)
        const url = `${V1}/customers/${customer.id}/upcoming-invoice`
        const all = yield* call("GET", url, { key: partnerKey })
        expect(all.body.data.map((i: any) => i.period)).toEqual(["2026-11", "2026-12"])
        expect(all.body.meta.page).toEqual({ limit: 50, next_cursor: null })

        const first = yield* call("GET", `${url}?limit=1`, { key: partnerKey })
        expect(first.body.data.map((i: any) => i.period)).toEqual(["2026-11"])
        expect(first.body.meta.page.next_cursor).toEqual(expect.any(String))
        const second = yield* call("GET", `${url}?limit=1&cursor=${first.body.meta.page.next_cursor}`, { key: partnerKey })
        expect(second.body.data).toEqual([all.body.data[1]])
        expect(second.body.meta.page).toEqual({ limit: 1, next_cursor: null })
        expectError(yield* call("GET", `${url}?limit=0`, { key: partnerKey }), 422, "validation_error", "limit")
        expectError(yield* call("GET", `${url}?cursor=nope`, { key: partnerKey }), 422, "validation_error", "cursor")
      }))

    it.effect("with a grace period drafts wait, late usage re-rates them, and the scheduler finalizes them when it ends", () =>
      Effect.gen(function* () {
        const w = yield* world
        yield* decemberFirst
        const run = yield* awaitRun((yield* startRun({ period: "2026-11", grace_period: "2 hours" }, w.partnerKey)).id, w.partnerKey)
        expect(run).toMatchObject({ status: "completed", grace_period_seconds: 7200 })
        const [draft] = yield* invoicesOf(w.customers.ann.id)
        expect(draft).toMatchObject({ status: "draft", number: null, finalizes_at: "2026-12-01T02:00:00.000Z" })
        expect(draft.subtotal.amount).toBe("85.50")

        // 500 more minutes of November arrive late: 2,000 in all -> 20.00 + 15.00 = 35.00.
        yield* setNow("2026-12-01T00:30:00Z")
        yield* usage(w.subscriptions.annSeats.id, "500", "2026-11-29T10:00:00Z", w.partnerKey)
        const billing = yield* Billing
        expect(yield* billing.finalizeDue).toEqual({ rerated: 1, finalized: 0 })
        const [rerated] = yield* invoicesOf(w.customers.ann.id)
        expect(rerated.status).toBe("draft")
        expect(rerated.lines.find((l: any) => l.kind === "usage")).toMatchObject({ quantity: "2000", amount: "35.00" })
        expect(rerated.subtotal.amount).toBe("93.00")

        // The grace period ends: the scheduler finalizes the four drafts.
        yield* setNow("2026-12-01T02:00:00Z")
        expect((yield* billing.finalizeDue).finalized).toBe(4)
        const [final] = yield* invoicesOf(w.customers.ann.id)
        expect(final).toMatchObject({ status: "finalized", subtotal: { amount: "93.00" } })
        expect(final.number).toMatch(/^INV-2026-\d{6}$/)

        // Usage for a finalized period is refused.
        const late = expectData(yield* call("POST", `${V1}/usage`, {
          key: w.partnerKey,
          body: { records: [{ transaction_id: "late-1", subscription_id: w.subscriptions.annSeats.id, sku_id: "voice-minutes", quantity: "1", occurred_at: "2026-11-29T11:00:00Z" }] }
        }))
        expect(late.rejected.map((r: any) => r.code)).toEqual(["period_closed"])
      }))

    it.effect("a later run of the month without a grace period bills the rest on the open draft and finalizes it", () =>
      Effect.gen(function* () {
        // Fay's first seat runs from the 15th (Oct 15 -> Nov 15 is November's), her second from Nov 1.
        yield* setNow("2026-10-15T00:00:00Z")
        const catalog = yield* exampleCatalog
        const { partner, partnerKey } = yield* channel()
        const fay = yield* createCustomer(partner.id, { name: "Fay" })
        const seat = { plan_id: catalog.plans["UCaaS Seat Monthly"], characteristics: SEAT }
        const early = yield* subscribe(fay.id, seat, partnerKey)
        yield* setNow("2026-11-01T00:00:00Z")
        const late = yield* subscribe(fay.id, seat, partnerKey)

        // On Nov 20 only the first period has ended: the run leaves a draft that waits 30 days.
        yield* setNow("2026-11-20T00:00:00Z")
        yield* runDue
        const first = yield* awaitRun((yield* startRun({ period: "2026-11", grace_period: "30 days" }, partnerKey)).id, partnerKey)
        expect(first).toMatchObject({ status: "completed", subscriptions_billed: 1, invoices_created: 1 })
        const [draft] = yield* invoicesOf(fay.id)
        expect(draft).toMatchObject({ status: "draft", number: null })

        // Dec 1, no grace period: the second period goes on the same invoice, which is finalized.
        yield* decemberFirst
        const second = yield* awaitRun((yield* startRun({ period: "2026-11" }, partnerKey)).id, partnerKey)
        expect(second).toMatchObject({ status: "completed", subscriptions_billed: 1, invoices_created: 0 })
        const invoices = yield* invoicesOf(fay.id)
        expect(invoices).toHaveLength(1)
        expect(invoices[0]).toMatchObject({ id: draft.id, status: "finalized", subtotal: { amount: "24.00" } })
        expect(invoices[0].number).toMatch(/^INV-2026-\d{6}$/)
        expect(invoices[0].lines.map((l: any) => [l.subscription_id, l.kind, l.amount])).toEqual([
          [early.id, "recurring", "12.00"],
          [late.id, "recurring", "12.00"]
        ])
        expect(Object.values(yield* timesBilled([early.id, late.id]))).toEqual([1, 1])
      }))

    it.effect("POST /invoices/{id}/finalize finalizes a draft now (re-rated first); a non-draft is 409", () =>
      Effect.gen(function* () {
        const w = yield* world
        yield* decemberFirst
        yield* awaitRun((yield* startRun({ period: "2026-11", grace_period: "3 days" }, w.partnerKey)).id, w.partnerKey)
        const [draft] = yield* invoicesOf(w.customers.ann.id)
        yield* usage(w.subscriptions.annSeats.id, "500", "2026-11-29T10:00:00Z", w.partnerKey)
        const viewer = yield* createKey(w.partner.id, "viewer")
        expectError(yield* call("POST", `${V1}/invoices/${draft.id}/finalize`, { key: viewer }), 403, "forbidden")
        const finalized = expectData(yield* call("POST", `${V1}/invoices/${draft.id}/finalize`, { key: w.partnerKey }))
        expect(finalized).toMatchObject({ id: draft.id, status: "finalized", subtotal: { amount: "93.00" } })
        expectError(yield* call("POST", `${V1}/invoices/${draft.id}/finalize`, { key: w.partnerKey }), 409, "invalid_state")
      }))
  })
})
