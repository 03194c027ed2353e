/**
 * Putting an embedded test database back as its migrated snapshot was, in a fraction of the time a
 * restore takes (`TestDatabase`, database.ts): a test worker hands a PGlite a file is done with to
 * the next file. `PROVISIO_TEST_REUSE=0` restores one for every build again. Not done on the
 * PostgreSQL server: there a TRUNCATE of every table took longer than a copy of the template and
 * its drop (the server run 152 s against 134 s).
 */
import type { PGlite } from "@electric-sql/pglite"

export const reuseDatabases = () => process.env["PROVISIO_TEST_REUSE"] !== "0"

/** The databases a worker keeps waiting: more would hold memory for nothing. */
export const MAX_IDLE = 2

/** What a migrated database holds: its relations, and the statement that empties its tables. */
export interface SnapshotShape {
  readonly relations: ReadonlySet<string>
  readonly empty: string
}

const RELATIONS = `select c.relname as name, c.relkind as kind from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S')`
const DROP: Record<string, string> = { r: "table", p: "table", v: "view", m: "materialized view", S: "sequence" }

/** Read from a database just restored, once per worker: every test database is a copy of the same snapshot. */
export const shapeOf = async (db: PGlite): Promise<SnapshotShape> => {
  const relations = await db.query<{ name: string; kind: string }>(RELATIONS)
  const tables = relations.rows.filter((row) => row.kind === "r" || row.kind === "p").map((row) => row.name)
  // Tables the migrations wrote rows in (their own record) keep them.
  const seeded = await db.query<{ name: string }>(
    tables.map((table) => `select '${table}' as name where exists (select from "${table}")`).join(" union all "))
  const keep = new Set(seeded.rows.map((row) => row.name))
  return {
    relations: new Set(relations.rows.map((row) => row.name)),
    empty: `truncate ${tables.filter((table) => !keep.has(table)).map((table) => `"${table}"`).join(", ")} restart identity cascade`
  }
}

/** `db` as its snapshot was: the session reset, what a test created dropped, every table emptied, identities from 1. */
export const resetToSnapshot = async (db: PGlite, { empty, relations }: SnapshotShape) => {
  await db.query("discard all")
  const created = (await db.query<{ name: string; kind: string }>(RELATIONS)).rows.filter((row) => !relations.has(row.name))
  for (const row of created) await db.query(`drop ${DROP[row.kind]} if exists "${row.name}" cascade`)
  await db.query(empty)
}
