/**
 * What one statement costs through `@effect/sql-pg` against plain `pg`, in this process's CPU and
 * in PostgreSQL's (the CPU of the database's backends, from /proc):
 * `select * from subscriptions where id = $1`, sequentially and 64 at a time.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a migrated database> npx tsx bench/sql-client.ts
 *
 * It inserts one subscription row (foreign keys off for that insert) and removes it at the end.
 * `BENCH_N` statements per case (default 20,000), `BENCH_POOL` connections (default 10).
 */
import * as fs from "node:fs"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import pg from "pg"
import { serverClient } from "../packages/adapters/src/postgres/database.js"

const url = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"
const N = Number(process.env["BENCH_N"] ?? 20_000)
const POOL = Number(process.env["BENCH_POOL"] ?? 10)
const CONCURRENCY = 64
const ID = "sub_bench_sql_client"
const TEXT = "select * from subscriptions where id = $1"

/** The backends connected to this bench's database (others' work on the same server left out). */
let backends: () => Promise<ReadonlySet<string>> = () => Promise.resolve(new Set())

/** CPU (user + system, in us) of this database's backends, by pid, from /proc. */
const postgresCpuUs = async (): Promise<Map<string, number>> => {
  const byPid = new Map<string, number>()
  for (const pid of await backends()) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      byPid.set(pid, (Number(fields[11]) + Number(fields[12])) * 10_000)
    } catch {
      // gone
    }
  }
  return byPid
}

/** CPU used since `before` by the postgres processes alive now (an idle backend that exited is left out). */
const postgresCpuSince = async (before: Map<string, number>) => {
  let used = 0
  for (const [pid, us] of await postgresCpuUs()) used += us - (before.get(pid) ?? 0)
  return used
}

interface Figures {
  readonly node: number
  readonly postgres: number
  readonly wall: number
}

const measure = async (run: () => Promise<void>): Promise<Figures> => {
  await run() // warm
  const cpu = process.cpuUsage()
  const pgBefore = await postgresCpuUs()
  const started = performance.now()
  await run()
  const wall = (performance.now() - started) * 1000
  const used = process.cpuUsage(cpu)
  return { node: (used.user + used.system) / N, postgres: (await postgresCpuSince(pgBefore)) / N, wall: wall / N }
}

/** `N` calls of `one`, sequentially or `CONCURRENCY` in flight (a closed loop). */
const promiseLoop = (one: () => Promise<unknown>, concurrency: number) => async () => {
  let next = 0
  const worker = async () => {
    while (next < N) {
      next++
      await one()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

const main = async () => {
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query("begin; set local session_replication_role = replica")
  await admin.query(
    `insert into subscriptions (id, customer_id, lineage, product_id, plan_id, plan_version, name, status, quantity,
       current_period_start, current_period_end, characteristics, custom_fields, billing_anchor, time_zone,
       billing_interval, period_index, created_at, updated_at)
     values ($1, 'cus_x', '{acc_a,acc_b}', 'prd_x', 'pln_x', 1, 'SIP', 'active', 1, now(), now() + interval '1 month',
       '{"a":1}', '{}', now(), 'Europe/Berlin', 'month', 0, now(), now())
     on conflict (id) do nothing`,
    [ID]
  )
  await admin.query("commit")
  backends = async () =>
    new Set((await admin.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
    )).rows.map((row) => String(row.pid)))

  const pool = new pg.Pool({ connectionString: url, max: POOL })
  const runtime = ManagedRuntime.make(
    PgClient.layer({ url: Redacted.make(url), maxConnections: POOL }).pipe(Layer.orDie)
  )
  const sql = await runtime.runPromise(SqlClient.SqlClient)
  // Provisio's own client (packages/adapters/src/postgres/database.ts): statements it sees repeated named.
  const ours = ManagedRuntime.make(serverClient(Redacted.make(url), { poolSize: POOL, prepare: true }).pipe(Layer.orDie))
  const oursSql = await ours.runPromise(SqlClient.SqlClient)
  const untraced = <A, E>(effect: Effect.Effect<A, E>) => Effect.withTracerEnabled(effect, false)

  const effectLoop = (one: Effect.Effect<unknown, unknown>, concurrency: number, traced: boolean, on = runtime) => () =>
    on.runPromise(
      (traced ? (e: Effect.Effect<void, unknown>) => e : untraced)(
        Effect.forEach(Array.from({ length: N }), () => one, { concurrency, discard: true })
      )
    )

  const cases: Array<[string, (concurrency: number) => () => Promise<void>]> = [
    ["pg pool.query(text, values)", (c) => promiseLoop(() => pool.query(TEXT, [ID]), c)],
    ["pg pool.query({ name, text, values })", (c) => promiseLoop(() => pool.query({ name: "bench_pk", text: TEXT, values: [ID] }), c)],
    ["@effect/sql-pg sql`...`, tracer off", (c) => effectLoop(Effect.suspend(() => sql`select * from subscriptions where id = ${ID}`), c, false)],
    ["@effect/sql-pg sql`...`, tracer on", (c) => effectLoop(Effect.suspend(() => sql`select * from subscriptions where id = ${ID}`), c, true)],
    [
      "Provisio's client (prepared statements)",
      (c) => effectLoop(Effect.suspend(() => oursSql`select * from subscriptions where id = ${ID}`), c, false, ours)
    ],
    [
      "Effect.async around pool.query",
      (c) =>
        effectLoop(
          Effect.async<unknown>((resume) => {
            pool.query(TEXT, [ID], (error, result) => resume(error ? Effect.die(error) : Effect.succeed(result.rows)))
          }),
          c,
          false
        )
    ]
  ]
  const only = process.env["BENCH_CASES"]
  process.stdout.write(`bench/sql-client: ${N} statements a case, pool ${POOL}; load average ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}\n`)
  for (const concurrency of [1, CONCURRENCY]) {
    for (const [name, make] of cases) {
      if (only !== undefined && !only.split(",").some((part) => name.includes(part))) continue
      const f = await measure(make(concurrency))
      process.stdout.write(
        `  ${concurrency === 1 ? "sequential" : `${concurrency} at once`}  ${name.padEnd(40)} node ${f.node.toFixed(1).padStart(6)} us  postgres ${f.postgres.toFixed(1).padStart(6)} us  wall ${f.wall.toFixed(1).padStart(6)} us\n`
      )
    }
  }
  await runtime.dispose()
  await ours.dispose()
  await pool.end()
  await admin.query("delete from subscriptions where id = $1", [ID])
  await admin.end()
}

main().catch((error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
