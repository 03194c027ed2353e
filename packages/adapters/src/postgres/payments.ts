import * as SqlClient from "@effect/sql/SqlClient"
import {
  CreditNote,
  type CurrencyBalance,
  Payment,
  type StoredCreditNote,
  type StoredPayment
} from "@provisio/core/payments/model"
import { PaymentRepo } from "@provisio/core/payments/ports"
import { Currency, DecimalString, formatDecimal, money, roundToMinorUnit } from "@provisio/core/shared/money"
import { toPage } from "@provisio/core/shared/pagination"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { moneySql } from "./json.js"
import { orPersistenceError } from "./persistence.js"

// NUMERIC is read as text (a JS number would go through a binary float) and assembled into the
// `{amount, currency}` objects of the model by the queries themselves.

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)
const isoOrNull = (at: DateTime.Utc | null) => (at === null ? null : iso(at))

const moneyOf = (column: string, currency: string) =>
  `json_build_object('amount', ${column}::text, 'currency', ${currency})`

const Lineage = { lineage: Schema.Array(Schema.String) }
const PaymentRow = Schema.Struct({ ...Payment.fields, ...Lineage })
const CreditNoteRow = Schema.Struct({ ...CreditNote.fields, ...Lineage })
const BalanceRow = Schema.Struct({
  currency: Currency,
  balance: DecimalString,
  amount_due: DecimalString,
  credit_available: DecimalString
})

const toPayment = ({ lineage, ...fields }: typeof PaymentRow.Type): StoredPayment => ({ payment: new Payment(fields), lineage })
const toCreditNote = ({ lineage, ...fields }: typeof CreditNoteRow.Type): StoredCreditNote => ({
  credit_note: new CreditNote(fields),
  lineage
})

/** Credit notes as the API shows them (their tax as money of their currency), with lineage. */
export const creditNoteSelect = (sql: SqlClient.SqlClient) => sql`
      select c.id, c.customer_id, c.lineage, ${sql.literal(moneyOf("c.amount", "c.currency"))} as amount,
             ${sql.literal(moneyOf("c.remaining", "c.currency"))} as remaining,
             c.reason, c.source, c.payment_id, c.invoice_id, c.kind,
             ${sql.literal(moneySql("coalesce(c.subtotal, c.amount - c.tax_total)", "c.currency"))} as subtotal,
             coalesce((select json_agg(json_build_object(
                        'category', t->>'category', 'rate', t->>'rate',
                        'taxable_amount', json_build_object('amount', t->>'taxable_amount', 'currency', c.currency),
                        'tax_amount', json_build_object('amount', t->>'tax_amount', 'currency', c.currency),
                        'exemption_reason', t->>'exemption_reason') order by n)
                         from jsonb_array_elements(c.tax) with ordinality as x(t, n)), '[]') as tax,
             ${sql.literal(moneySql("c.tax_total", "c.currency"))} as tax_total,
             ${sql.literal(moneyOf("c.amount", "c.currency"))} as total,
             c.created_at, c.updated_at
        from credit_notes c`

/** Decodes `creditNoteSelect` rows. */
export const decodeCreditNotes = (rows: ReadonlyArray<unknown>) =>
  Effect.map(Schema.decodeUnknown(Schema.Array(CreditNoteRow))(rows), (decoded) => decoded.map(toCreditNote))

export const PaymentRepoLive = Layer.effect(
  PaymentRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const selectPayment = sql`
      select p.id, p.customer_id, p.lineage, p.invoice_id, ${sql.literal(moneyOf("p.amount", "p.currency"))} as amount,
             p.payment_method_id, p.gateway, p.gateway_reference, p.status, p.failure_reason, p.created_at, p.updated_at
        from payments p`

    const selectCreditNote = creditNoteSelect(sql)

    return PaymentRepo.of({
      saveInvoicePayment: (invoice) =>
        orPersistenceError(sql`update invoices set ${
          sql.update({
            status: invoice.status,
            amount_paid: formatDecimal(invoice.amount_paid.amount),
            amount_due: formatDecimal(invoice.amount_due.amount),
            paid_at: isoOrNull(invoice.paid_at),
            updated_at: iso(invoice.updated_at)
          })
        } where id = ${invoice.id}`).pipe(Effect.asVoid),
      insertPayment: ({ lineage, payment: p }) =>
        orPersistenceError(sql`insert into payments ${
          sql.insert({
            id: p.id,
            customer_id: p.customer_id,
            lineage: [...lineage],
            invoice_id: p.invoice_id,
            amount: formatDecimal(p.amount.amount),
            currency: p.amount.currency,
            payment_method_id: p.payment_method_id,
            gateway: p.gateway,
            gateway_reference: p.gateway_reference,
            status: p.status,
            failure_reason: p.failure_reason,
            created_at: iso(p.created_at),
            updated_at: iso(p.updated_at)
          })
        }`).pipe(Effect.asVoid),
      findPayment: (id) =>
        orPersistenceError(Effect.flatMap(sql`${selectPayment} where p.id = ${id}`, (rows) =>
          Effect.map(
            Schema.decodeUnknown(Schema.Array(PaymentRow))(rows.slice(0, 1)),
            (decoded) => Option.fromNullable(decoded.map(toPayment)[0])
          ))),
      listPayments: (within, filter, page) =>
        orPersistenceError(Effect.flatMap(
          sql`${selectPayment} where p.lineage @> array[${within}]::text[]
              ${filter.customer_id === undefined ? sql`` : sql`and p.customer_id = ${filter.customer_id}`}
              ${filter.invoice_id === undefined ? sql`` : sql`and p.invoice_id = ${filter.invoice_id}`}
              ${pageClause(sql, page, "p.id")}`,
          Schema.decodeUnknown(Schema.Array(PaymentRow))
        )).pipe(Effect.map((rows) => toPage(rows.map((r) => toPayment(r).payment), page))),
      insertCreditNote: ({ credit_note: c, lineage }) =>
        orPersistenceError(sql`insert into credit_notes ${
          sql.insert({
            id: c.id,
            customer_id: c.customer_id,
            lineage: [...lineage],
            currency: c.amount.currency,
            amount: formatDecimal(c.amount.amount),
            remaining: formatDecimal(c.remaining.amount),
            reason: c.reason,
            source: c.source,
            payment_id: c.payment_id,
            invoice_id: c.invoice_id,
            kind: c.kind,
            subtotal: c.subtotal === undefined ? null : formatDecimal(c.subtotal.amount),
            tax: JSON.stringify(c.tax.map((t) => ({
              category: t.category,
              rate: formatDecimal(t.rate),
              taxable_amount: formatDecimal(t.taxable_amount.amount),
              tax_amount: formatDecimal(t.tax_amount.amount),
              exemption_reason: t.exemption_reason
            }))),
            tax_total: c.tax_total === undefined ? "0" : formatDecimal(c.tax_total.amount),
            created_at: iso(c.created_at),
            updated_at: iso(c.updated_at)
          })
        }`).pipe(Effect.asVoid),
      listCreditNotes: (within, filter, page) =>
        orPersistenceError(Effect.flatMap(
          sql`${selectCreditNote} where c.lineage @> array[${within}]::text[]
              ${filter.customer_id === undefined ? sql`` : sql`and c.customer_id = ${filter.customer_id}`}
              ${filter.invoice_id === undefined ? sql`` : sql`and c.invoice_id = ${filter.invoice_id}`}
              ${pageClause(sql, page, "c.id")}`,
          Schema.decodeUnknown(Schema.Array(CreditNoteRow))
        )).pipe(Effect.map((rows) => toPage(rows.map((r) => toCreditNote(r).credit_note), page))),
      appendLedger: (entries, at) =>
        entries.length === 0
          ? Effect.void
          : orPersistenceError(sql`insert into ledger_entries ${
            sql.insert(entries.map((e) => ({
              customer_id: e.customer_id,
              currency: e.currency,
              kind: e.kind,
              amount: formatDecimal(e.amount),
              invoice_id: e.invoice_id,
              payment_id: e.payment_id,
              credit_note_id: e.credit_note_id,
              created_at: iso(at)
            })))
          }`).pipe(Effect.asVoid),
      balances: (customerId) =>
        orPersistenceError(Effect.flatMap(
          sql`
            with ledger as (
                   select currency, sum(amount) as total from ledger_entries where customer_id = ${customerId} group by currency),
                 due as (
                   select currency, sum(amount_due) as total from invoices
                    where customer_id = ${customerId} and status = 'finalized' group by currency),
                 credit as (
                   select currency, sum(remaining) as total from credit_notes where customer_id = ${customerId} group by currency),
                 currencies as (
                   select currency from ledger union select currency from due union select currency from credit)
            select c.currency,
                   coalesce(ledger.total, 0)::text as balance,
                   coalesce(due.total, 0)::text as amount_due,
                   coalesce(credit.total, 0)::text as credit_available
              from currencies c
              left join ledger on ledger.currency = c.currency
              left join due on due.currency = c.currency
              left join credit on credit.currency = c.currency
             order by c.currency`,
          Schema.decodeUnknown(Schema.Array(BalanceRow))
        )).pipe(Effect.map((rows) =>
          rows.map((r): CurrencyBalance => {
            // Every stored amount has at most the currency's digits: this only writes them uniformly.
            const exact = (amount: typeof r.balance) => money(roundToMinorUnit(amount, r.currency), r.currency)
            return {
              currency: r.currency,
              balance: exact(r.balance),
              amount_due: exact(r.amount_due),
              credit_available: exact(r.credit_available)
            }
          })
        ))
    })
  })
)
