import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import type { PGlite } from "@electric-sql/pglite"
import pg from "pg"
import { migrated } from "../embedded/snapshot.js"
import { embeddedClient, serverClient } from "../postgres/database.js"
import { poolOver, startPGlite } from "../embedded/pglite.js"
import { MAX_IDLE, resetToSnapshot, reuseDatabases, type SnapshotShape, shapeOf } from "./reset.js"
import { poolLayer } from "../postgres/plain-statements.js"
import type { PlainStatements } from "../postgres/plain-statements.js"

/**
 * How the vitest globalSetup (root `vitest.setup.global.ts`) hands its one-off work to the test
 * workers: env vars, because forked workers inherit them and they need no vitest import here.
 */
export const SnapshotPathEnv = "PROVISIO_TEST_SNAPSHOT"
export const TemplateDatabaseEnv = "PROVISIO_TEST_TEMPLATE_DB"

type Database = PgClient.PgClient | SqlClient.SqlClient | PlainStatements


// ---- embedded (PGlite) ----------------------------------------------------------------------

export { writeSnapshot } from "../embedded/snapshot.js"

/** One read per worker: a Blob is immutable, so every restore can share it. */
const snapshots = new Map<string, Blob>()
const readSnapshot = (file: string) => {
  let blob = snapshots.get(file)
  if (!blob) {
    blob = new Blob([fs.readFileSync(file)])
    snapshots.set(file, blob)
  }
  return blob
}

/** Restored databases of this worker, reset and waiting for the next build: a restore takes 0.6-1 s, a reset ~0.15 s. */
const idle: Array<PGlite> = []
let shape: SnapshotShape | undefined

/** A database restored from `snapshot`: an idle one of this worker's when there is one, given back reset on release. */
const restoredDatabase = (snapshot: string) =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const waiting = idle.pop()
      return waiting ? Effect.succeed(waiting) : startPGlite({ loadDataDir: readSnapshot(snapshot) }).pipe(
        Effect.tap((db) => shape === undefined ? Effect.promise(async () => void (shape ??= await shapeOf(db))) : Effect.void),
        Effect.mapError((cause) => new SqlError({ cause, message: `Cannot restore the test snapshot ${snapshot}: ${cause}` }))
      )
    }),
    (db) => Effect.promise(async () => {
      try {
        if (!reuseDatabases() || idle.length >= MAX_IDLE || db.closed) throw new Error("not kept")
        await resetToSnapshot(db, shape!)
        idle.push(db)
      } catch {
        if (!db.closed) await db.close().catch(() => undefined)
      }
    })
  )

const embeddedDatabase = (snapshot: string | undefined): Layer.Layer<Database, SqlError> =>
  snapshot
    ? Layer.unwrapScoped(Effect.gen(function* () {
        const db = yield* restoredDatabase(snapshot)
        return poolLayer(yield* poolOver(db))
      }))
    : // Outside vitest there is no snapshot: migrate from scratch.
      Layer.effectDiscard(migrated).pipe(Layer.provideMerge(embeddedClient("memory")))

// ---- PostgreSQL server (DATABASE_URL) ---------------------------------------------------------

/** Runs statements on a short-lived connection to the server's own database (CREATE/DROP DATABASE). */
const admin = (url: string, ...statements: ReadonlyArray<string>) =>
  Effect.tryPromise({
    try: async () => {
      const client = new pg.Client({ connectionString: url, application_name: "provisio-test" })
      await client.connect()
      try {
        for (const statement of statements) await client.query(statement)
      } finally {
        await client.end()
      }
    },
    catch: (cause) => new SqlError({ cause, message: `${statements.join("; ")}: ${cause}` })
  })

export const databaseUrl = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** `with (force)` ends connections a test may have leaked, which would otherwise block the drop. */
export const dropDatabase = (url: string, database: string) =>
  admin(url, `drop database if exists "${database}" with (force)`)

/**
 * Creates and migrates the template database the test databases are copied from (vitest
 * globalSetup). Every connection to it is closed on return: PostgreSQL copies only an idle template.
 */
export const createTemplate = (url: string, database: string) =>
  Effect.gen(function* () {
    yield* admin(url, `drop database if exists "${database}" with (force)`, `create database "${database}"`)
    yield* migrated.pipe(
      Effect.provide(PgClient.layer({ url: Redacted.make(databaseUrl(url, database)), maxConnections: 1 }))
    )
  })

/** A copy of `template` (which nothing may be connected to) named `database`, on the server of `url`. */
export const copyDatabase = (url: string, template: string, database: string) =>
  admin(url, `drop database if exists "${database}" with (force)`, `create database "${database}" template "${template}"`)

/**
 * A migrated database of its own on the server, for a test that spawns processes or a benchmark:
 * a copy of the run's template database when there is one (vitest), else migrated from scratch.
 * The caller drops it (`dropDatabase`). Answers its URL.
 */
export const createScratchDatabase = (url: string, database: string) => {
  const template = process.env[TemplateDatabaseEnv]
  return Effect.as(
    template ? copyDatabase(url, template, database) : createTemplate(url, database),
    databaseUrl(url, database)
  )
}

const serverDatabase = (url: string, template: string | undefined): Layer.Layer<Database, SqlError> =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const database = `provisio_t_${crypto.randomBytes(6).toString("hex")}`
      yield* Effect.acquireRelease(
        admin(url, `create database "${database}"${template ? ` template "${template}"` : ""}`),
        // A database left behind would pile up on a developer's server: fail loudly instead.
        () => dropDatabase(url, database).pipe(Effect.orDie)
      )
      // Built in this scope after the acquire above, so the client closes before the drop. The
      // server's client as `provisio serve` makes it (named statements), on a pool of 4.
      const context = yield* Layer.build(
        serverClient(Redacted.make(databaseUrl(url, database)), { poolSize: 4, prepare: true })
      )
      // Outside vitest there is no template: migrate from scratch.
      if (!template) yield* migrated.pipe(Effect.provide(context))
      return context
    })
  )

// ---- the fixture ------------------------------------------------------------------------------

/**
 * A fresh, fully migrated database per build: on the server named by `DATABASE_URL` (a copy of the
 * run's template database, dropped on release) or else an in-memory PGlite restored from the run's
 * snapshot. Layers are memoized within one graph, so share a build through `layer(TestDatabase)` /
 * `it.layer(TestDatabase)`, and call `Layer.build(TestDatabase)` (or provide it again) for another.
 */
export const TestDatabase: Layer.Layer<Database, SqlError> = Layer.unwrapEffect(
  Effect.sync(() => {
    const url = process.env["DATABASE_URL"]
    return url
      ? serverDatabase(url, process.env[TemplateDatabaseEnv])
      : embeddedDatabase(process.env[SnapshotPathEnv])
  })
)
