import type * as SqlClient from "@effect/sql/SqlClient"
import { StatementLine, type StoredLine } from "@provisio/core/reconciliation/model"
import { Currency, DecimalString } from "@provisio/core/shared/money"
import { Timestamp } from "@provisio/core/shared/time"
import * as Schema from "effect/Schema"
import * as crypto from "node:crypto"
import { pgArray } from "../arrays.js"

/**
 * What the reconciliation's reads and writes share: how a key is stored, and a line's row.
 * Amounts are NUMERIC read as text (never through a float), assembled with their currency here.
 */

/** A transaction's or statement's key as stored: its SHA-256, hex (a CSV statement's key is all its rows). */
export const storedKey = (key: string): string => crypto.createHash("sha256").update(key, "utf8").digest("hex")

export const LINE_COLUMNS = `
  l.id, l.statement_id, l.lineage, l.position, l.entry_key, l.booked_at, l.amount::text as amount, l.currency,
  l.reference, l.counterparty, l.bank_reference, l.match_refs, l.status, l.invoice_id, l.payment_id,
  l.reversed_by, l.duplicate_of, l.note, l.created_at, l.updated_at`

const Strings = Schema.Array(Schema.String)

export const LineRow = Schema.Struct({
  id: Schema.String,
  statement_id: Schema.String,
  lineage: Strings,
  position: Schema.Number,
  entry_key: Schema.String,
  booked_at: Timestamp,
  amount: DecimalString,
  currency: Currency,
  reference: Schema.NullOr(Schema.String),
  counterparty: Schema.NullOr(Schema.String),
  bank_reference: Schema.NullOr(Schema.String),
  match_refs: Strings,
  status: StatementLine.fields.status,
  invoice_id: Schema.NullOr(Schema.String),
  payment_id: Schema.NullOr(Schema.String),
  reversed_by: Schema.NullOr(Schema.String),
  duplicate_of: Schema.NullOr(Schema.String),
  note: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
})
export const decodeLines = Schema.decodeUnknown(Schema.Array(LineRow))

export const toStoredLine = (row: typeof LineRow.Type): StoredLine => ({
  line: new StatementLine({
    id: row.id as StatementLine["id"],
    statement_id: row.statement_id as StatementLine["statement_id"],
    booked_at: row.booked_at,
    amount: { amount: row.amount, currency: row.currency },
    reference: row.reference,
    counterparty: row.counterparty,
    status: row.status,
    invoice_id: row.invoice_id,
    payment_id: row.payment_id,
    note: row.note,
    created_at: row.created_at,
    updated_at: row.updated_at
  }),
  lineage: row.lineage,
  entry_key: row.entry_key,
  position: row.position,
  bank_reference: row.bank_reference,
  match_refs: row.match_refs,
  reversed_by: row.reversed_by,
  duplicate_of: row.duplicate_of
})

/** The lines of some statements, in each statement's order. */
export const linesOf = (sql: SqlClient.SqlClient, statementIds: ReadonlyArray<string>) =>
  sql`select ${sql.literal(LINE_COLUMNS)} from reconciliation_lines l
       where l.statement_id = any(${pgArray(statementIds)}::text[]) order by l.statement_id, l.position`
