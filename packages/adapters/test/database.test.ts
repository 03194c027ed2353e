import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it, layer } from "@effect/vitest"
import { openEmbedded } from "@provisio/adapters/embedded/pglite"
import { embeddedClient } from "@provisio/adapters/postgres/database"
import { migrations } from "@provisio/adapters/postgres/migrations/index"
import { TestDatabase } from "@provisio/adapters/testing/database"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** A data folder on disk is copied from the template and opened by PGlite: seconds, many more on a loaded machine. */
const ON_DISK_TIMEOUT = 120_000

layer(TestDatabase)("TestDatabase", (it) => {
  it.effect("is migrated", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ migration_id: number }>`
        select migration_id from provisio_migrations order by migration_id`
      const registered = Object.keys(migrations).map((name) => Number(name.slice(0, 4)))
      expect(rows.map((row) => Number(row.migration_id))).toEqual(registered)
    })
  )
})

describe("TestDatabase builds", () => {
  it.scopedLive("are isolated from each other", () =>
    Effect.gen(function* () {
      const first = Context.get(yield* Layer.build(TestDatabase), SqlClient.SqlClient)
      const second = Context.get(yield* Layer.build(TestDatabase), SqlClient.SqlClient)
      yield* first`
        insert into accounts (id, kind, name, status, lineage, created_at, updated_at)
        values ('acc_isolated', 'platform', 'Isolated', 'active', array['acc_isolated'], now(), now())`
      const count = (sql: SqlClient.SqlClient) =>
        sql<{ n: number }>`select count(*)::int as n from accounts where id = 'acc_isolated'`.pipe(
          Effect.map(([row]) => row?.n)
        )
      expect(yield* count(first)).toBe(1)
      expect(yield* count(second)).toBe(0)
    })
  )
})

// About PGlite's data folder itself, so the server run (DATABASE_URL) has nothing to add.
describe.skipIf(process.env["DATABASE_URL"])("embedded data folder", () => {
  const tempDir = Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "provisio-data-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )

  it.scopedLive("keeps its rows across a restart", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`create table notes (body text not null)`
        yield* sql`insert into notes values ('kept')`
      }).pipe(Effect.provide(embeddedClient(dir)))
      const rows = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ body: string }>`select body from notes`
      }).pipe(Effect.provide(embeddedClient(dir)))
      expect(rows).toEqual([{ body: "kept" }])
    }),
    ON_DISK_TIMEOUT
  )

  it.scopedLive("refuses a second open while one holds it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* Layer.build(embeddedClient(dir))
      const error = yield* openEmbedded(dir).pipe(Effect.scoped, Effect.flip)
      expect(error.message).toContain("in use")
    }),
    ON_DISK_TIMEOUT
  )
})
