import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { ServicesLive } from "@provisio/adapters/services"
import { createScratchDatabase, dropDatabase } from "@provisio/adapters/testing/database"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import type { ChildProcess } from "node:child_process"
import { spawnTypeScript } from "@provisio/adapters/testing/processes"
import * as crypto from "node:crypto"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { Identity } from "@provisio/core/identity/service"
import { exampleCatalog } from "./ordering-fixtures"

/**
 * Exactly once across a crash, against the PostgreSQL server: `provisio billing run` (a real
 * process, one customer per transaction) is killed with SIGKILL mid-run, then run again; every
 * subscription of the month is billed once, none twice, none missed.
 */

const SERVER = process.env["DATABASE_URL"]
const CUSTOMERS = 200
const BIN = path.join(import.meta.dirname, "..", "..", "cli", "src", "bin.ts")

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

// The CLI bills by the wall clock, in arrears: the month billed is the last one that has ended,
// and the subscriptions are anchored at its start (its period ends when it does).
const today = new Date()
const monthStart = (offset: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + offset, 1)).toISOString()
const MONTH = monthStart(-1).slice(0, 7)

describe.skipIf(!SERVER)("billing run crash", () => {
  it("a billing run killed mid-run and run again bills every subscription exactly once", async () => {
    const server = SERVER!
    const database = `provisio_billing_kill_${crypto.randomBytes(6).toString("hex")}`
    const url = await Effect.runPromise(createScratchDatabase(server, database))
    const scope = Effect.runSync(Scope.make())
    let child: ChildProcess | undefined
    try {
      const context = await Effect.runPromise(Layer.buildWithScope(
        ServicesLive.pipe(Layer.provideMerge(PgClient.layer({ url: Redacted.make(url), maxConnections: 4 })), Layer.orDie),
        scope
      ))
      const run = <A, E>(effect: Effect.Effect<A, E, any>) => Effect.runPromise(Effect.provide(effect, context) as Effect.Effect<A, E>)
      const sql = Context.get(context, SqlClient.SqlClient)

      // The platform, a partner, CUSTOMERS customers with one 2-seat subscription each, anchored at the start of MONTH.
      await run(Effect.flatMap(Identity, (identity) => identity.bootstrap(Option.some(`pvo_kill_${crypto.randomBytes(16).toString("hex")}`))))
      const catalog = await run(exampleCatalog)
      const plan = catalog.plans["UCaaS Seat Monthly"]!
      const product = catalog.products["UCaaS Seat"]!
      await run(sql`
        with platform as (select id, lineage from accounts where kind = 'platform'),
             partner as (
               insert into accounts (id, kind, parent_id, name, status, edition, lineage, created_at, updated_at)
               select 'acc_killpartner', 'partner', p.id, 'Kill partner', 'active', 'standard',
                      p.lineage || 'acc_killpartner'::text, now(), now() from platform p
               returning id, lineage)
        insert into customers (id, partner_id, name, status, timezone, lineage, created_at, updated_at)
        select 'cus_kill' || lpad(n::text, 5, '0'), partner.id, 'C' || n, 'active', 'UTC',
               partner.lineage || ('cus_kill' || lpad(n::text, 5, '0')), now(), now()
          from partner, generate_series(1, ${CUSTOMERS}) n`)
      await run(sql`
        insert into subscriptions (id, customer_id, lineage, product_id, plan_id, plan_version, status, quantity,
                                   current_period_start, current_period_end, billing_anchor, time_zone, billing_interval,
                                   period_index, created_at, updated_at)
        select 'sub_' || substr(c.id, 5), c.id, c.lineage, ${product}, ${plan}, 1, 'active', 2,
               ${monthStart(0)}::timestamptz, ${monthStart(1)}::timestamptz, ${monthStart(-1)}::timestamptz, 'UTC', 'month', 1,
               ${monthStart(-1)}::timestamptz, ${monthStart(-1)}::timestamptz
          from customers c where c.id like 'cus_kill%'`)

      const billingRun = () => {
        const process_ = spawnTypeScript(BIN, ["billing", "run", "--period", MONTH, "--chunk-size", "1"], {
          env: { ...process.env, DATABASE_URL: url },
          stdio: ["ignore", "pipe", "pipe"],
          detached: true
        })
        let output = ""
        process_.stdout!.on("data", (chunk) => (output += chunk))
        process_.stderr!.on("data", (chunk) => (output += chunk))
        const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
          process_.on("exit", (code, signal) => resolve(signal ?? code)))
        return { process: process_, exited, output: () => output }
      }
      const billed = () =>
        run(sql<{ n: number }>`select count(*)::int as n from billed_periods`).then((rows) => rows[0]!.n)

      // Killed once some customers are billed and most are not.
      const first = billingRun()
      child = first.process
      const deadline = Date.now() + 60_000
      while ((await billed()) < 10) {
        if (Date.now() > deadline) throw new Error(`nothing billed in 60 s:\n${first.output()}`)
        if (first.process.exitCode !== null) throw new Error(`the run exited early:\n${first.output()}`)
        await sleep(5)
      }
      process.kill(-first.process.pid!, "SIGKILL")
      expect(await first.exited).toBe("SIGKILL")
      child = undefined
      const atKill = await billed()
      expect(atKill).toBeLessThan(CUSTOMERS)

      // Again: it takes over the run the dead process left (its heartbeat is fresh) and finishes it.
      const second = billingRun()
      child = second.process
      expect(await second.exited, second.output()).toBe(0)
      child = undefined
      expect(second.output()).toContain("completed")

      expect(await billed()).toBe(CUSTOMERS)
      const [lines] = await run(sql<{ lines: number; subscriptions: number; invoices: number; total: string }>`
        select count(*)::int as lines, count(distinct subscription_id)::int as subscriptions,
               count(distinct invoice_id)::int as invoices, sum(amount)::text as total
          from invoice_lines where kind = 'recurring'`)
      // Each 2 seats x 12.00 = 24.00, once.
      expect(lines).toEqual({ lines: CUSTOMERS, subscriptions: CUSTOMERS, invoices: CUSTOMERS, total: `${24 * CUSTOMERS}.00` })
      const runs = await run(sql<{ status: string; customers_processed: number }>`
        select status, customers_processed from billing_runs order by id`)
      expect(runs.at(-1)).toEqual({ status: "completed", customers_processed: CUSTOMERS })
    } finally {
      if (child?.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL")
        } catch {
          // already gone
        }
      }
      await Effect.runPromise(Scope.close(scope, Exit.void))
      await Effect.runPromise(dropDatabase(server, database))
    }
  }, 120_000)
})
