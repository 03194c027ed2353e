import * as PgClient from "@effect/sql-pg/PgClient"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { openEmbedded } from "../embedded/pglite.js"

/**
 * Where the data lives: a PostgreSQL server when `DATABASE_URL` is set, otherwise the embedded
 * PGlite under `PROVISIO_DATA_DIR` (default `./.provisio/data`; `memory` keeps nothing).
 */
export const DatabaseConfig = Config.all({
  url: Config.option(Config.redacted("DATABASE_URL")),
  dataDir: Config.string("PROVISIO_DATA_DIR").pipe(Config.withDefault("./.provisio/data"))
})

/** Column names stay as written: models and tables share snake_case, so nothing is transformed. */
const serverClient = (url: Redacted.Redacted) =>
  PgClient.layer({ url, applicationName: "provisio", maxConnections: 10 })

/** The same `@effect/sql-pg` client over PGlite through its node-postgres adapter (a pool of one). */
export const embeddedClient = (dataDir: string, options?: { readonly loadDataDir?: Blob }) =>
  PgClient.layerFromPool({ acquire: openEmbedded(dataDir, options) })

export const DatabaseLive = Layer.unwrapEffect(
  Effect.map(DatabaseConfig, ({ dataDir, url }) =>
    Option.match(url, {
      onSome: serverClient,
      onNone: () => embeddedClient(dataDir)
    })
  )
)

export const describeDatabase = Effect.map(DatabaseConfig, ({ dataDir, url }) =>
  Option.match(url, {
    onSome: (u) => `postgres ${new URL(Redacted.value(u)).host}`,
    onNone: () => (dataDir === "memory" ? "embedded (in memory)" : `embedded (${dataDir})`)
  })
)
