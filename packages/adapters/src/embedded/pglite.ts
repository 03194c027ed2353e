import { SqlError } from "@effect/sql/SqlError"
import { PGlite } from "@electric-sql/pglite"
import { createPgConfig } from "@electric-sql/pglite/node-postgres"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"

export class DataDirInUse extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(
      `The data folder ${dataDir} is in use by process ${pid}. Stop that process, point ` +
        `PROVISIO_DATA_DIR elsewhere, or talk to the running server with --url.`
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
 * PGlite has no lock of its own and two processes on one folder corrupt it, so the folder is
 * claimed with a lock file holding our pid; a lock left by a dead process is taken over.
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
            return lockFile
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
            const pid = Number(fs.readFileSync(lockFile, "utf8"))
            if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) throw new DataDirInUse(dataDir, pid)
            fs.rmSync(lockFile, { force: true })
          }
        }
        throw new Error(`could not lock ${dataDir}`)
      },
      catch: (cause) =>
        new SqlError({ cause, message: cause instanceof DataDirInUse ? cause.message : `Cannot open ${dataDir}: ${cause}` })
    }),
    (lockFile) => Effect.sync(() => fs.rmSync(lockFile, { force: true }))
  )

/**
 * A node-postgres pool of one over an embedded PGlite. `dataDir` "memory" keeps everything in
 * memory; `loadDataDir` starts from a dump (tests restore a migrated snapshot this way).
 */
export const openEmbedded = (dataDir: string, options?: { readonly loadDataDir?: Blob }) =>
  Effect.gen(function* () {
    const inMemory = dataDir === "memory"
    if (!inMemory) yield* lockDataDir(path.resolve(dataDir))
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const pglite = new PGlite(inMemory ? undefined : path.resolve(dataDir, "pgdata"), {
            ...(options?.loadDataDir ? { loadDataDir: options.loadDataDir } : {})
          })
          await pglite.waitReady
          return pglite
        },
        catch: (cause) => new SqlError({ cause, message: `Cannot open the embedded database: ${cause}` })
      }),
      (pglite) => Effect.promise(() => pglite.close()).pipe(Effect.ignore)
    )
    return yield* Effect.acquireRelease(
      Effect.sync(() => new pg.Pool(createPgConfig(db) as pg.PoolConfig)),
      (pool) => Effect.promise(() => pool.end()).pipe(Effect.ignore)
    )
  })

