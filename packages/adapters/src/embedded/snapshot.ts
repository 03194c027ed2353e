import * as PgClient from "@effect/sql-pg/PgClient"
import { SqlError } from "@effect/sql/SqlError"
import { PGlite } from "@electric-sql/pglite"
import { createPgConfig } from "@electric-sql/pglite/node-postgres"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import pg from "pg"
import { migrate } from "../postgres/migrations/index.js"
import { EMBEDDED_EXTENSIONS } from "./pglite.js"

/** Every migration applied, failures as `SqlError`. */
export const migrated = migrate.pipe(
  Effect.asVoid,
  Effect.mapError((error) =>
    error instanceof SqlError ? error : new SqlError({ cause: error, message: `Migration failed: ${error.message}` })
  )
)

/**
 * Migrates a fresh in-memory PGlite and writes its data folder dump to `file`: restoring it is
 * much cheaper than initdb plus every migration. The tests write one per run.
 */
export const writeSnapshot = (file: string) =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => PGlite.create({ extensions: EMBEDDED_EXTENSIONS }),
        catch: (cause) => new SqlError({ cause, message: `Cannot start PGlite: ${cause}` })
      }),
      (db) => Effect.promise(() => db.close()).pipe(Effect.ignore)
    )
    // The pool is ours to end; PGlite stays open for the dump.
    const pool = Effect.acquireRelease(
      Effect.sync(() => new pg.Pool(createPgConfig(db) as pg.PoolConfig)),
      (pool) => Effect.promise(() => pool.end()).pipe(Effect.ignore)
    )
    yield* migrated.pipe(Effect.provide(PgClient.layerFromPool({ acquire: pool })))
    // Uncompressed: a gzip dump is smaller but every restore would pay for inflating it.
    const dump = yield* Effect.tryPromise({
      try: async () => new Uint8Array(await (await db.dumpDataDir("none")).arrayBuffer()),
      catch: (cause) => new SqlError({ cause, message: `Cannot dump PGlite: ${cause}` })
    })
    yield* Effect.try({
      try: () => fs.writeFileSync(file, dump),
      catch: (cause) => new SqlError({ cause, message: `Cannot write ${file}: ${cause}` })
    })
  }).pipe(Effect.scoped)

/**
 * Migrates a PGlite data folder at `dir` (replacing what is there) and closes it cleanly: the
 * build's template, from which a fresh embedded data folder starts as a plain copy.
 */
export const writeMigratedDataDir = (dir: string) =>
  Effect.gen(function* () {
    yield* Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => PGlite.create({ dataDir: dir, extensions: EMBEDDED_EXTENSIONS }),
        catch: (cause) => new SqlError({ cause, message: `Cannot start PGlite in ${dir}: ${cause}` })
      }),
      (db) => Effect.promise(() => db.close()).pipe(Effect.ignore)
    )
    const pool = Effect.acquireRelease(
      Effect.sync(() => new pg.Pool(createPgConfig(db) as pg.PoolConfig)),
      (pool) => Effect.promise(() => pool.end()).pipe(Effect.ignore)
    )
    yield* migrated.pipe(Effect.provide(PgClient.layerFromPool({ acquire: pool })))
  }).pipe(Effect.scoped)
