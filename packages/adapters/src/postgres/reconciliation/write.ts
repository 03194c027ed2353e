import type * as SqlClient from "@effect/sql/SqlClient"
import type { StoredLine, StoredStatement } from "@provisio/core/reconciliation/model"
import { formatDecimal } from "@provisio/core/shared/money"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { pgArray } from "../arrays.js"
import { orPersistenceError } from "../persistence.js"
import { storedKey } from "./rows.js"

/** The reconciliation's writes: a statement, the claims on its transactions, its lines, their changes, a reversal. */

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)

/** Rows a bulk insert takes at once: a line has 20 columns, PostgreSQL takes 65,535 parameters. */
const LINES_PER_INSERT = 1_000

export const makeWrites = (sql: SqlClient.SqlClient) => ({
  insertStatement: ({ statement: s, account_id, lineage, statement_key }: StoredStatement) =>
    orPersistenceError(sql<{ readonly id: string }>`
      insert into reconciliation_statements ${
      sql.insert({
        id: s.id,
        account_id,
        lineage: [...lineage],
        format: s.format,
        statement_key: storedKey(statement_key),
        bank_account: s.account,
        created_at: iso(s.created_at),
        updated_at: iso(s.updated_at)
      })
    }
      on conflict (account_id, statement_key) do nothing
      returning id`).pipe(Effect.map((rows) => rows.length === 1)),

  claimEntries: (
    importer: { readonly account_id: string; readonly lineage: ReadonlyArray<string> },
    claims: ReadonlyArray<{ readonly entry_key: string; readonly line_id: string }>
  ) =>
    Effect.gen(function* () {
      if (claims.length === 0) return new Set<string>() as ReadonlySet<string>
      const byHash = new Map<string, string>()
      const hashes: Array<string> = []
      const lines: Array<string> = []
      for (const claim of claims) {
        const hash = storedKey(claim.entry_key)
        if (byHash.has(hash)) continue
        byHash.set(hash, claim.entry_key)
        hashes.push(hash)
        lines.push(claim.line_id)
      }
      // In key order, so two imports claiming some of the same keys wait in line, never in a circle.
      const claimed = yield* sql<{ readonly entry_key: string }>`
        insert into reconciliation_entries (account_id, entry_key, lineage, line_id)
        select ${importer.account_id}, k.entry_key, ${pgArray(importer.lineage)}::text[], k.line_id
          from unnest(${pgArray(hashes)}::text[], ${pgArray(lines)}::text[]) as k(entry_key, line_id)
         order by k.entry_key
        on conflict (account_id, entry_key) do nothing
        returning entry_key`
      return new Set(claimed.map((row) => byHash.get(row.entry_key)!)) as ReadonlySet<string>
    }).pipe(orPersistenceError),

  insertLines: (stored: ReadonlyArray<StoredLine>) =>
    Effect.forEach(
      Array.from({ length: Math.ceil(stored.length / LINES_PER_INSERT) }, (_, i) => stored.slice(i * LINES_PER_INSERT, (i + 1) * LINES_PER_INSERT)),
      (chunk) =>
        sql`insert into reconciliation_lines ${
          sql.insert(chunk.map(({ line: l, ...s }) => ({
            id: l.id,
            statement_id: l.statement_id,
            lineage: [...s.lineage],
            position: s.position,
            entry_key: storedKey(s.entry_key),
            booked_at: iso(l.booked_at),
            amount: formatDecimal(l.amount.amount),
            currency: l.amount.currency,
            reference: l.reference,
            counterparty: l.counterparty,
            bank_reference: s.bank_reference,
            match_refs: [...s.match_refs],
            status: l.status,
            invoice_id: l.invoice_id,
            payment_id: l.payment_id,
            reversed_by: s.reversed_by,
            duplicate_of: s.duplicate_of,
            note: l.note,
            created_at: iso(l.created_at),
            updated_at: iso(l.updated_at)
          })))
        }`,
      { discard: true }
    ).pipe(orPersistenceError),

  saveLine: ({ line: l, reversed_by }: StoredLine) =>
    Effect.zipRight(
      sql`update reconciliation_lines set ${
        sql.update({
          status: l.status,
          invoice_id: l.invoice_id,
          payment_id: l.payment_id,
          note: l.note,
          reversed_by,
          updated_at: iso(l.updated_at)
        })
      } where id = ${l.id}`,
      sql`update reconciliation_statements set updated_at = ${iso(l.updated_at)} where id = ${l.statement_id}`
    ).pipe(Effect.asVoid, orPersistenceError),

  saveReversal: (reversal: { readonly payment_id: string; readonly credit_note_id: string | null }, at: DateTime.Utc) =>
    Effect.zipRight(
      sql`update payments set status = 'reversed', updated_at = ${iso(at)} where id = ${reversal.payment_id}`,
      reversal.credit_note_id === null
        ? Effect.void
        : Effect.asVoid(sql`update credit_notes set remaining = 0, updated_at = ${iso(at)} where id = ${reversal.credit_note_id}`)
    ).pipe(Effect.asVoid, orPersistenceError)
})
