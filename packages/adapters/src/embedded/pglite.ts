import { SqlError } from "@effect/sql/SqlError"
import { PGlite } from "@electric-sql/pglite"
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm"
import { createPgConfig } from "@electric-sql/pglite/node-postgres"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"
import { PreparingClient } from "../postgres/prepared.js"

export class DataDirInUse extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(
      `The data folder ${dataDir} is in use by process ${pid}. Stop that process, point ` +
        `PROVISIO_DATA_DIR elsewhere, or use the running server's HTTP API.`
    )
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * The contrib extensions every embedded database loads, so the migrations can create them as on a
 * server: `pg_trgm` backs the number search's digit pattern (migration 0007).
 */
export const EMBEDDED_EXTENSIONS = { pg_trgm }

/** Folders this process holds: a lock file with our own pid is in use only if it is one of these. */
const heldByUs = new Set<string>()

/**
 * PGlite has no lock of its own and two processes on one folder corrupt it, so the folder is
 * claimed with a lock file holding our pid. Two opens in one process corrupt it just the same, so
 * our own pid counts as in use too; a lock left by a dead process (or by an earlier process that
 * had our pid, as happens in containers) is taken over.
 */
const lockDataDir = (dataDir: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        fs.mkdirSync(dataDir, { recursive: true })
        const lockFile = path.join(dataDir, "provisio.lock")
        for (let attempt = 0; attempt < 2; attempt++) {
          try {
            fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" })
            heldByUs.add(dataDir)
            return lockFile
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
            const pid = Number(fs.readFileSync(lockFile, "utf8"))
            const inUse = pid === process.pid ? heldByUs.has(dataDir) : Number.isInteger(pid) && isAlive(pid)
            if (inUse) throw new DataDirInUse(dataDir, pid)
            fs.rmSync(lockFile, { force: true })
          }
        }
        throw new Error(`could not lock ${dataDir}`)
      },
      catch: (cause) =>
        new SqlError({ cause, message: cause instanceof DataDirInUse ? cause.message : `Cannot open ${dataDir}: ${cause}` })
    }),
    (lockFile) =>
      Effect.sync(() => {
        fs.rmSync(lockFile, { force: true })
        heldByUs.delete(dataDir)
      })
  )

/** The migrated data folder the build leaves beside the built module (`npm run build`); none when run from source. */
const MIGRATED_TEMPLATE = fileURLToPath(new URL("./migrated-pgdata", import.meta.url))

/**
 * A fresh data folder starts as a copy of the build's migrated one rather than initdb and every
 * migration (seconds on a first start). Copied aside and renamed, so a copy cut short by a crash
 * is never taken for a database; a folder in use already has its `pgdata`.
 */
const startFromTemplate = (pgdata: string) => {
  if (fs.existsSync(pgdata) || !fs.existsSync(MIGRATED_TEMPLATE)) return
  const partial = `${pgdata}.copying-${process.pid}`
  fs.rmSync(partial, { recursive: true, force: true })
  fs.cpSync(MIGRATED_TEMPLATE, partial, { recursive: true })
  fs.renameSync(partial, pgdata)
}

const EMBEDDED_APPLICATION = "provisio-embedded"
const embeddedByName = new Map<string, PGlite>()
let opened = 0

/** The embedded database behind a client's application name (`PgClient.config.applicationName`), if it is one. */
export const embeddedDatabaseOf = (applicationName: string | undefined): PGlite | undefined =>
  applicationName === undefined ? undefined : embeddedByName.get(applicationName)

/**
 * A node-postgres pool of one over an embedded PGlite. `dataDir` "memory" keeps everything in
 * memory; `loadDataDir` starts from a dump (tests restore a migrated snapshot this way). Repeated
 * statements are prepared (`PreparingClient`) unless `prepare` is false: PGlite parses and plans in
 * this process, so what a prepared statement saves is this process's CPU. The pool's clients share
 * PGlite's one session and the one connection object of `createPgConfig`, which remembers what was
 * prepared across them.
 */
export const openEmbedded = (dataDir: string, options?: { readonly loadDataDir?: Blob; readonly prepare?: boolean }) =>
  Effect.gen(function* () {
    const inMemory = dataDir === "memory"
    const pgdata = path.resolve(dataDir, "pgdata")
    if (!inMemory) yield* lockDataDir(path.resolve(dataDir))
    if (!inMemory && options?.loadDataDir === undefined) {
      yield* Effect.try({
        try: () => startFromTemplate(pgdata),
        catch: (cause) => new SqlError({ cause, message: `Cannot create ${pgdata}: ${cause}` })
      })
    }
    const db = yield* Effect.acquireRelease(
      startPGlite({ ...(inMemory ? {} : { dataDir: pgdata }), ...(options?.loadDataDir ? { loadDataDir: options.loadDataDir } : {}) }),
      (pglite) => Effect.promise(() => pglite.close()).pipe(Effect.ignore)
    )
    return yield* poolOver(db, options)
  })

/** A PGlite started and ready: in memory unless `dataDir`, from the dump `loadDataDir` if given. The caller closes it. */
export const startPGlite = (options: { readonly dataDir?: string; readonly loadDataDir?: Blob }) =>
  Effect.tryPromise({
    try: async () => {
      // One options object: given a non-string first argument, PGlite ignores the second.
      const pglite = new PGlite({ extensions: EMBEDDED_EXTENSIONS, ...options })
      await pglite.waitReady
      return pglite
    },
    catch: (cause) => new SqlError({ cause, message: `Cannot open the embedded database: ${cause}` })
  })

/** The pool of one over the open PGlite `db` (see `openEmbedded`), ended with the scope; `db` stays open. */
export const poolOver = (db: PGlite, options?: { readonly prepare?: boolean }) =>
  Effect.gen(function* () {
    // The pool's application name finds this PGlite again (`embeddedDatabaseOf`): its own LISTEN
    // is the one that works, node-postgres's needs a second connection that PGlite does not have.
    const name = `${EMBEDDED_APPLICATION}:${++opened}`
    yield* Effect.acquireRelease(
      Effect.sync(() => embeddedByName.set(name, db)),
      () => Effect.sync(() => embeddedByName.delete(name))
    )
    return yield* Effect.acquireRelease(
      Effect.sync(() =>
        new pg.Pool({
          ...createPgConfig(db),
          application_name: name,
          ...(options?.prepare === false ? {} : { Client: PreparingClient })
        } as pg.PoolConfig)),
      (pool) => Effect.promise(() => pool.end()).pipe(Effect.ignore)
    )
  })
