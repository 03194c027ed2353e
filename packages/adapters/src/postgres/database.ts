import { SqlError } from "@effect/sql/SqlError"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import pg from "pg"
import { openEmbedded } from "../embedded/pglite.js"
import { poolLayer } from "./plain-statements.js"
import { PreparingClient } from "./prepared.js"

/**
 * Where the data lives: a PostgreSQL server when `DATABASE_URL` is set, otherwise the embedded
 * PGlite under `PROVISIO_DATA_DIR` (default `./.provisio/data`; `memory` keeps nothing).
 */
export const DatabaseConfig = Config.all({
  url: Config.option(Config.redacted("DATABASE_URL")),
  dataDir: Config.string("PROVISIO_DATA_DIR").pipe(Config.withDefault("./.provisio/data")),
  poolSize: Config.integer("PROVISIO_DATABASE_POOL_SIZE").pipe(
    Config.validate({ message: "between 1 and 100", validation: (n) => n >= 1 && n <= 100 }),
    Config.withDefault(10)
  ),
  prepare: Config.literal("on", "off")("PROVISIO_DATABASE_PREPARE").pipe(Config.withDefault("on"))
})

export interface ServerClientOptions {
  readonly poolSize: number
  /** Repeated statements as named (prepared) ones: `PreparingClient` (prepared.ts). */
  readonly prepare: boolean
  readonly applicationName?: string
}

/**
 * A PostgreSQL server's pool, checked with a `SELECT 1` (5 s at most) before it is used, as
 * `PgClient.layer` does. Column names stay as written: models and tables share snake_case, so
 * nothing is transformed.
 */
export const serverClient = (url: Redacted.Redacted, options: ServerClientOptions) =>
  Layer.unwrapScoped(Effect.map(serverPool(url, options), poolLayer))

const serverPool = (url: Redacted.Redacted, options: ServerClientOptions) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const pool = new pg.Pool({
        connectionString: Redacted.value(url),
        max: options.poolSize,
        application_name: options.applicationName ?? "provisio",
        ...(options.prepare ? { Client: PreparingClient } : {})
      })
      pool.on("error", () => {})
      return pool
    }),
    (pool) => Effect.promise(() => pool.end()).pipe(Effect.interruptible, Effect.timeoutOption(1000))
  ).pipe(
    Effect.tap((pool) =>
      Effect.tryPromise({
        try: () => pool.query("SELECT 1"),
        catch: (cause) => new SqlError({ cause, message: "PgClient: Failed to connect" })
      }).pipe(Effect.timeoutFail({
        duration: "5 seconds",
        onTimeout: () => new SqlError({ cause: new Error("Connection timed out"), message: "PgClient: Connection timed out" })
      }))
    )
  )

/** The same `@effect/sql-pg` client over PGlite through its node-postgres adapter (a pool of one). */
export const embeddedClient = (dataDir: string, options?: { readonly loadDataDir?: Blob; readonly prepare?: boolean }) =>
  Layer.unwrapScoped(Effect.map(openEmbedded(dataDir, options), poolLayer))

export const DatabaseLive = Layer.unwrapEffect(
  Effect.map(DatabaseConfig, ({ dataDir, poolSize, prepare, url }) =>
    Option.match(url, {
      onSome: (u) => serverClient(u, { poolSize, prepare: prepare === "on" }),
      onNone: () => embeddedClient(dataDir, { prepare: prepare === "on" })
    })
  )
)

export const describeDatabase = Effect.map(DatabaseConfig, ({ dataDir, url }) =>
  Option.match(url, {
    onSome: (u) => `postgres ${new URL(Redacted.value(u)).host}`,
    onNone: () => (dataDir === "memory" ? "embedded (in memory)" : `embedded (${dataDir})`)
  })
)
