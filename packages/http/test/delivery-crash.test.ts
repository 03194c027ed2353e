import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { ServicesLive } from "@provisio/adapters/services"
import { createScratchDatabase, dropDatabase } from "@provisio/adapters/testing/database"
import { Deliveries, LEASE_MARGIN_MILLIS, PER_TARGET } from "@provisio/core/deliveries/service"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import type { ChildProcess } from "node:child_process"
import { spawnTypeScript } from "@provisio/adapters/testing/processes"
import * as crypto from "node:crypto"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { seedEvents, seedProduct } from "./fixtures/push-seed"

/**
 * At-least-once across a crash, against the PostgreSQL server: a worker PROCESS delivers a batch
 * to a slow receiver and is killed with SIGKILL mid-batch; another worker (in-process, its clock
 * past the leases the dead one held) then finishes. Every event reaches the receiver at least
 * once and no delivery is left pending, retrying or dead.
 */

const SERVER = process.env["DATABASE_URL"]
// More than a worker keeps in flight to one target (PER_TARGET), so the kill finds calls
// answered, calls in flight and calls not sent yet.
const EVENTS = PER_TARGET + 200
// Five times what the receiver takes and more: a loaded CI machine once timed out calls of 1 s.
const TIMEOUT_MS = 5000
const RECEIVER_DELAY_MS = 200
const WORKER = path.join(import.meta.dirname, "fixtures", "delivery-worker.ts")

/** The real clock moved `offset` ahead: what the next worker sees once the dead one's leases ran out. */
const clockAhead = (offset: number): Clock.Clock => {
  const base = Clock.make()
  const nanos = BigInt(offset) * 1_000_000n
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis() + offset,
    currentTimeMillis: Effect.sync(() => base.unsafeCurrentTimeMillis() + offset),
    unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos() + nanos,
    currentTimeNanos: Effect.sync(() => base.unsafeCurrentTimeNanos() + nanos),
    sleep: (duration) => base.sleep(duration)
  }
}

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

describe.skipIf(!SERVER)("delivery crash", () => {
  it("a worker process killed mid-batch loses nothing: another delivers every event at least once", async () => {
    const server = SERVER!
    const database = `provisio_crash_${crypto.randomBytes(6).toString("hex")}`
    const url = await Effect.runPromise(createScratchDatabase(server, database))

    // A slow receiver: every call waits RECEIVER_DELAY_MS, then 204.
    const seen: Array<string> = []
    const receiver = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        seen.push(JSON.parse(Buffer.concat(chunks).toString("utf8")).event_id)
        setTimeout(() => {
          if (!response.destroyed) response.writeHead(204).end()
        }, RECEIVER_DELAY_MS)
      })
    })
    receiver.on("clientError", (_error, socket) => socket.destroy())
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`

    const scope = Effect.runSync(Scope.make())
    let child: ChildProcess | undefined
    try {
      const context = await Effect.runPromise(Layer.buildWithScope(
        ServicesLive.pipe(Layer.provideMerge(PgClient.layer({ url: Redacted.make(url), maxConnections: 4 })), Layer.orDie),
        scope
      ))
      const run = <A, E>(effect: Effect.Effect<A, E, any>) => Effect.runPromise(Effect.provide(effect, context) as Effect.Effect<A, E>)
      const sql = Context.get(context, SqlClient.SqlClient)
      const counts = () =>
        run(sql<{ status: string; n: number }>`select status, count(*)::int as n from deliveries group by status`).then(
          (rows) => Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>
        )

      const product = await run(seedProduct(receiverUrl, TIMEOUT_MS))
      const eventIds = await run(seedEvents(product, EVENTS))

      // The worker process; its own process group, so the kill reaches nothing else.
      const worker = spawnTypeScript(WORKER, [], {
        env: { ...process.env, DATABASE_URL: url },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true
      })
      child = worker
      let output = ""
      worker.stdout!.on("data", (chunk) => (output += chunk))
      worker.stderr!.on("data", (chunk) => (output += chunk))
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        worker.on("exit", (code, signal) => resolve(signal ?? code)))

      // Mid-batch: a few calls answered, more in flight, most not sent yet.
      const deadline = Date.now() + 20_000
      while (seen.length < 20) {
        if (Date.now() > deadline) throw new Error(`the worker sent ${seen.length} calls in 20 s:\n${output}`)
        if (worker.exitCode !== null) throw new Error(`the worker exited early:\n${output}`)
        await sleep(5)
      }
      process.kill(-worker.pid!, "SIGKILL")
      expect(await exited).toBe("SIGKILL")
      child = undefined
      const atKill = new Set(seen).size
      expect(atKill).toBeLessThan(EVENTS)
      const left = await counts()
      expect(left["delivered"] ?? 0).toBeLessThan(EVENTS)
      // Calls the dead worker had in flight still hold their leases.
      const [{ leased } = { leased: 0 }] = await run(sql<{ leased: number }>`
        select count(*)::int as leased from deliveries where status in ('pending', 'retrying') and lease_until is not null`)
      expect(leased).toBeGreaterThan(0)

      // The restart: past the leases (time-out + margin), run until nothing is left to send. A call
      // that failed on a loaded machine waits for its retry: each round runs an hour later than the
      // last, past any backoff, so what is retrying is sent again rather than left.
      for (let round = 0; round < 50; round++) {
        const later = clockAhead(TIMEOUT_MS + LEASE_MARGIN_MILLIS + 1000 + round * 3_600_000)
        const done = await run(Effect.flatMap(Deliveries, (d) => d.runOnce).pipe(Effect.withClock(later)))
        if (done.sent > 0 || done.dispatched_events > 0) continue
        const open = await counts()
        if ((open["pending"] ?? 0) + (open["retrying"] ?? 0) === 0) break
      }

      const final = await counts()
      expect(final).toEqual({ delivered: EVENTS })
      const distinct = new Set(seen)
      for (const id of eventIds) expect(distinct.has(id), `event ${id} reached the receiver`).toBe(true)
      // The calls cut off by the kill were sent again: at least once, not exactly once.
      expect(seen.length).toBeGreaterThanOrEqual(EVENTS)
    } finally {
      if (child?.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL")
        } catch {
          // already gone
        }
      }
      await Effect.runPromise(Scope.close(scope, Exit.void))
      receiver.closeAllConnections()
      await new Promise<void>((resolve) => receiver.close(() => resolve()))
      await Effect.runPromise(dropDatabase(server, database))
    }
  }, 60_000)
})
