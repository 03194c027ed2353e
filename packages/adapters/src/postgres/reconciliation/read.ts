import type * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { Payment } from "@provisio/core/payments/model"
import { Statement as BankStatement, StatementFormat, type StoredStatement } from "@provisio/core/reconciliation/model"
import type { InvoiceCandidate, PaymentToReverse, ReturnableCredit } from "@provisio/core/reconciliation/ports"
import { Currency, DecimalString } from "@provisio/core/shared/money"
import type { PageRequest } from "@provisio/core/shared/pagination"
import { toPage } from "@provisio/core/shared/pagination"
import { Timestamp } from "@provisio/core/shared/time"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pgArray } from "../arrays.js"
import { pageClause } from "../pagination.js"
import { orPersistenceError } from "../persistence.js"
import { decodeLines, LINE_COLUMNS, linesOf, storedKey, toStoredLine } from "./rows.js"

/** The reconciliation's reads: statements with their lines, and what an import matches against, one query each. */

const Strings = Schema.Array(Schema.String)

const StatementRow = Schema.Struct({
  id: Schema.String,
  account_id: Schema.String,
  lineage: Strings,
  format: StatementFormat,
  statement_key: Schema.String,
  bank_account: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
})
const decodeStatements = Schema.decodeUnknown(Schema.Array(StatementRow))

const InvoiceRow = Schema.Struct({
  id: Schema.String,
  number: Schema.String,
  key: Schema.String,
  customer_id: Schema.String,
  status: Schema.Literal("draft", "finalized", "paid", "void"),
  amount_due: DecimalString,
  currency: Currency
})

const ReturnableRow = Schema.Struct({
  line_id: Schema.String,
  payment_id: Schema.String,
  invoice_id: Schema.String,
  amount: DecimalString,
  currency: Currency,
  match_refs: Strings
})

const PaymentRow = Schema.Struct({
  ...Payment.fields,
  amount: DecimalString,
  currency: Currency,
  lineage: Strings,
  credit_note_id: Schema.NullOr(Schema.String),
  credit_amount: Schema.NullOr(DecimalString),
  credit_remaining: Schema.NullOr(DecimalString),
  refunded: Schema.Boolean
})

/** The letters and digits of an invoice's number, upper case: the expression `invoices_number_key` indexes. */
const NUMBER_KEY = "upper(regexp_replace(i.number, '[^A-Za-z0-9]', '', 'g'))"

export const makeReads = (sql: SqlClient.SqlClient) => {
  /** The statements `where` selects, each with its lines (one query for the lines of them all). */
  const statements = (where: Statement.Fragment) =>
    Effect.gen(function* () {
      const rows = yield* Effect.flatMap(
        sql`select s.id, s.account_id, s.lineage, s.format, s.statement_key, s.bank_account, s.created_at, s.updated_at
              from reconciliation_statements s ${where}`,
        decodeStatements
      )
      const lines = rows.length === 0 ? [] : yield* Effect.flatMap(linesOf(sql, rows.map((r) => r.id)), decodeLines)
      return rows.map((row): StoredStatement => ({
        statement: new BankStatement({
          id: row.id as BankStatement["id"],
          format: row.format,
          account: row.bank_account,
          lines: lines.filter((line) => line.statement_id === row.id).map((line) => toStoredLine(line).line),
          created_at: row.created_at,
          updated_at: row.updated_at
        }),
        account_id: row.account_id,
        lineage: row.lineage,
        statement_key: row.statement_key
      }))
    })

  const first = <A>(rows: ReadonlyArray<A>) => Option.fromNullable(rows[0])

  const line = (id: string, lock: boolean) =>
    orPersistenceError(Effect.flatMap(
      sql`select ${sql.literal(LINE_COLUMNS)} from reconciliation_lines l where l.id = ${id}
          ${lock ? sql`for update` : sql``}`,
      decodeLines
    )).pipe(Effect.map((rows) => Option.map(first(rows), toStoredLine)))

  return {
    findStatementByKey: (accountId: string, statementKey: string) =>
      orPersistenceError(statements(sql`where s.account_id = ${accountId} and s.statement_key = ${storedKey(statementKey)}`))
        .pipe(Effect.map(first)),
    findStatement: (id: string) => orPersistenceError(statements(sql`where s.id = ${id}`)).pipe(Effect.map(first)),
    listStatements: (within: string, page: PageRequest) =>
      orPersistenceError(statements(sql`where s.lineage @> array[${within}]::text[] ${pageClause(sql, page, "s.id")}`))
        .pipe(Effect.map((rows) => toPage(rows.map((r) => r.statement), page))),
    entryOwners: (
      importer: { readonly account_id: string; readonly lineage: ReadonlyArray<string> },
      keys: ReadonlyArray<string>,
      except: ReadonlyArray<string>
    ) =>
      Effect.gen(function* () {
        const byHash = new Map(keys.map((key) => [storedKey(key), key]))
        // Booked by the importer, an account above it (in its lineage) or one below it (its id in theirs).
        const rows = yield* sql<{ readonly entry_key: string; readonly line_id: string }>`
          select distinct on (e.entry_key) e.entry_key, e.line_id
            from reconciliation_entries e
           where e.entry_key = any(${pgArray([...byHash.keys()])}::text[])
             and (e.account_id = any(${pgArray(importer.lineage)}::text[]) or e.lineage @> array[${importer.account_id}]::text[])
             and e.line_id <> all(${pgArray(except)}::text[])
           order by e.entry_key, e.line_id`
        return new Map(rows.map((row) => [byHash.get(row.entry_key)!, row.line_id])) as ReadonlyMap<string, string>
      }).pipe(orPersistenceError),
    findInvoices: (within: string, keys: ReadonlyArray<string>) =>
      orPersistenceError(Effect.flatMap(
        sql`select i.id, i.number, ${sql.literal(NUMBER_KEY)} as key, i.customer_id, i.status,
                   i.amount_due::text as amount_due, i.currency
              from invoices i
             where i.number is not null and ${sql.literal(NUMBER_KEY)} = any(${pgArray(keys)}::text[])
               and i.lineage @> array[${within}]::text[]
             order by i.id`,
        Schema.decodeUnknown(Schema.Array(InvoiceRow))
      )).pipe(Effect.map((rows) =>
        rows.map(({ amount_due, currency, ...invoice }): InvoiceCandidate => ({ ...invoice, amount_due: { amount: amount_due, currency } }))
      )),
    findReturnable: (within: string, refs: ReadonlyArray<string>) =>
      orPersistenceError(Effect.flatMap(
        sql`select l.id as line_id, l.payment_id, l.invoice_id, l.amount::text as amount, l.currency, l.match_refs
              from reconciliation_lines l
             where l.match_refs && ${pgArray(refs)}::text[]
               and l.payment_id is not null and l.amount > 0 and l.reversed_by is null
               and l.lineage @> array[${within}]::text[]
               and exists (select 1 from payments p where p.id = l.payment_id and p.status = 'succeeded')
             order by l.id`,
        Schema.decodeUnknown(Schema.Array(ReturnableRow))
      )).pipe(Effect.map((rows) =>
        rows.map(({ amount, currency, ...credit }): ReturnableCredit => ({ ...credit, amount: { amount, currency } }))
      )),
    findLine: (id: string) => line(id, false),
    lockLine: (id: string) => line(id, true),
    lockPaymentToReverse: (paymentId: string) =>
      orPersistenceError(Effect.flatMap(
        // The credit note first: the outer join below can lock the payment only.
        Effect.zipRight(
          sql`select id from credit_notes where payment_id = ${paymentId} and source = 'overpayment' for update`,
          sql`select p.id, p.customer_id, p.lineage, p.invoice_id, p.amount::text as amount, p.currency, p.payment_method_id,
                   p.gateway, p.gateway_reference, p.status, p.failure_reason, p.created_at, p.updated_at,
                   c.id as credit_note_id, c.amount::text as credit_amount, c.remaining::text as credit_remaining,
                   exists (select 1 from refunds r where r.payment_id = p.id and r.status <> 'failed') as refunded
              from payments p
              left join credit_notes c on c.payment_id = p.id and c.source = 'overpayment'
             where p.id = ${paymentId}
             for update of p`
        ),
        Schema.decodeUnknown(Schema.Array(PaymentRow))
      )).pipe(Effect.map((rows) =>
        Option.map(first(rows), (row): PaymentToReverse => {
          const { amount, currency, lineage, credit_note_id, credit_amount, credit_remaining, refunded, ...fields } = row
          return {
            payment: new Payment({ ...fields, amount: { amount, currency } }),
            lineage,
            refunded,
            credit_note: credit_note_id === null || credit_amount === null || credit_remaining === null
              ? null
              : {
                id: credit_note_id,
                amount: { amount: credit_amount, currency },
                remaining: { amount: credit_remaining, currency }
              }
          }
        })
      ))
  }
}
