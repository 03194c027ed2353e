import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { Payment, type StoredPayment } from "@provisio/core/payments/model"
import { Refund, type StoredRefund } from "@provisio/core/payments/refunds-model"
import { RefundRepo } from "@provisio/core/payments/refunds-ports"
import { formatDecimal, Money } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { orPersistenceError } from "./persistence.js"

// Amounts are read as text and assembled into `{amount, currency}` by the queries (see payments.ts).

const moneyOf = (column: string, currency: string) =>
  `json_build_object('amount', ${column}::text, 'currency', ${currency})`

const Lineage = { lineage: Schema.Array(Schema.String) }
const PaymentRow = Schema.Struct({ ...Payment.fields, ...Lineage })
const RefundRow = Schema.Struct({ ...Refund.fields, ...Lineage, gateway: Schema.String })
const CreditRow = Schema.Struct({ credit_note_id: Schema.String, remaining: Money })

export const RefundRepoLive = Layer.effect(
  RefundRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const iso = DateTime.formatIso

    const lockPaymentWhere = (where: Statement.Fragment) =>
      Effect.flatMap(
        sql`
          select p.id, p.customer_id, p.lineage, p.invoice_id, ${sql.literal(moneyOf("p.amount", "p.currency"))} as amount,
                 p.payment_method_id, p.gateway, p.gateway_reference, p.status, p.failure_reason, p.created_at, p.updated_at
            from payments p ${where} limit 1 for update`,
        (rows) =>
          Effect.map(Schema.decodeUnknown(Schema.Array(PaymentRow))(rows), (decoded) =>
            Option.map(Option.fromNullable(decoded[0]), ({ lineage, ...fields }): StoredPayment => ({
              payment: new Payment(fields),
              lineage
            })))
      )

    return RefundRepo.of({
      lockPayment: (id) => orPersistenceError(lockPaymentWhere(sql`where p.id = ${id}`)),
      lockPaymentByReference: (gateway, reference) =>
        orPersistenceError(lockPaymentWhere(
          sql`where p.gateway = ${gateway} and p.gateway_reference = ${reference} and p.status = 'succeeded'`
        )),
      refundsOf: (paymentId) =>
        orPersistenceError(Effect.flatMap(
          sql`
            select r.id, r.payment_id, r.invoice_id, r.customer_id, r.lineage, r.gateway,
                   ${sql.literal(moneyOf("r.amount", "r.currency"))} as amount, r.status, r.gateway_reference,
                   r.failure_reason, r.credit_note_id, r.created_at, r.updated_at
              from refunds r where r.payment_id = ${paymentId} order by r.created_at, r.id for update`,
          Schema.decodeUnknown(Schema.Array(RefundRow))
        )).pipe(Effect.map((rows) =>
          rows.map(({ gateway, lineage, ...fields }): StoredRefund => ({ refund: new Refund(fields), lineage, gateway }))
        )),
      insertRefund: ({ gateway, lineage, refund: r }) =>
        orPersistenceError(sql`insert into refunds ${
          sql.insert({
            id: r.id,
            payment_id: r.payment_id,
            invoice_id: r.invoice_id,
            customer_id: r.customer_id,
            lineage: [...lineage],
            amount: formatDecimal(r.amount.amount),
            currency: r.amount.currency,
            gateway,
            gateway_reference: r.gateway_reference,
            status: r.status,
            failure_reason: r.failure_reason,
            credit_note_id: r.credit_note_id,
            created_at: iso(r.created_at),
            updated_at: iso(r.updated_at)
          })
        }`).pipe(Effect.asVoid),
      saveRefund: (id, fields, at) =>
        orPersistenceError(sql`update refunds set ${
          sql.update({ ...fields, updated_at: iso(at) })
        } where id = ${id}`).pipe(Effect.asVoid),
      unspentCredit: (paymentId, invoiceId) =>
        orPersistenceError(Effect.flatMap(
          sql`
            select c.id as credit_note_id, ${sql.literal(moneyOf("c.remaining", "c.currency"))} as remaining
              from credit_notes c
             where c.remaining > 0
               and ((c.source = 'overpayment' and c.payment_id = ${paymentId})
                 or (c.source = 'void' and c.invoice_id = ${invoiceId}
                     and exists (select 1 from invoices i where i.id = ${invoiceId} and i.status = 'void')))
             order by c.id for update`,
          Schema.decodeUnknown(Schema.Array(CreditRow))
        )).pipe(Effect.map((rows) => rows.map((r) => ({ credit_note_id: r.credit_note_id, remaining: r.remaining })))),
      invoiceNoteCredit: (invoiceId) =>
        orPersistenceError(Effect.flatMap(
          sql`
            select c.id as credit_note_id, ${sql.literal(moneyOf("c.remaining", "c.currency"))} as remaining
              from credit_notes c
             where c.invoice_id = ${invoiceId} and c.kind = 'invoice' and c.remaining > 0
             order by c.created_at, c.id for update`,
          Schema.decodeUnknown(Schema.Array(CreditRow))
        )).pipe(Effect.map((rows) => rows.map((r) => ({ credit_note_id: r.credit_note_id, remaining: r.remaining })))),
      pendingOn: (invoiceId) =>
        orPersistenceError(sql<{ readonly total: string }>`
          select coalesce(sum(r.amount), 0)::text as total from refunds r
           where r.payment_id in (select p.id from payments p where p.invoice_id = ${invoiceId}) and r.status = 'pending'`).pipe(
          Effect.map((rows) => BigDecimal.unsafeFromString(rows[0]?.total ?? "0"))
        ),
      spendCredit: (creditNoteId, amount, at) =>
        orPersistenceError(sql`
          update credit_notes set remaining = remaining - ${formatDecimal(amount)}::numeric, updated_at = ${iso(at)}
           where id = ${creditNoteId}`).pipe(Effect.asVoid)
    })
  })
)
