import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { CollectorRepo, type DueCharge, type StoredAttempt } from "@provisio/core/collection/collector-ports"
import { PaymentAttemptId, PaymentAttemptStatus } from "@provisio/core/collection/model"
import { PaymentMethodType } from "@provisio/core/customers/model"
import { Currency, DecimalString, formatDecimal, money } from "@provisio/core/shared/money"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { epochMillisSql } from "../json.js"
import { orPersistenceError } from "../persistence.js"

/**
 * The collector's queue (`invoices.next_charge_at`, its partial index) and the payment attempts.
 * A method a collector charges is the customer's default one at a gateway other than `manual`,
 * of a type other than `invoice`, as `resolvedCollectionMethodSql` counts it chargeable.
 */

const DueRow = Schema.Struct({
  id: Schema.String,
  number: Schema.NullOr(Schema.String),
  customer_id: Schema.String,
  lineage: Schema.Array(Schema.String),
  amount: DecimalString,
  currency: Currency,
  method_id: Schema.String,
  method_type: PaymentMethodType,
  method_gateway: Schema.String,
  method_token: Schema.NullOr(Schema.String),
  in_flight: Schema.NullOr(PaymentAttemptId)
})

const AttemptRow = Schema.Struct({
  id: PaymentAttemptId,
  invoice_id: Schema.String,
  customer_id: Schema.String,
  lineage: Schema.Array(Schema.String),
  gateway: Schema.String,
  payment_method_id: Schema.NullOr(Schema.String),
  amount: DecimalString,
  currency: Currency,
  status: PaymentAttemptStatus,
  decline_code: Schema.NullOr(Schema.String),
  failure_reason: Schema.NullOr(Schema.String),
  gateway_reference: Schema.NullOr(Schema.String),
  payment_id: Schema.NullOr(Schema.String),
  created_ms: Schema.Number
})

const toAttempt = ({ amount, created_ms, currency, ...row }: typeof AttemptRow.Type): StoredAttempt => ({
  ...row,
  amount: money(amount, currency),
  created_at: DateTime.unsafeMake(created_ms)
})

export const CollectorRepoLive = Layer.effect(
  CollectorRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const iso = DateTime.formatIso

    const claimDue = (at: DateTime.Utc, leaseUntil: DateTime.Utc, limit: number) =>
      Effect.flatMap(
        sql`
          with due as (
            select id from invoices
             where next_charge_at <= ${iso(at)}
             order by next_charge_at, id
             limit ${limit}
               for update skip locked
          ),
          subject as (
            select i.id, i.number, i.customer_id, i.lineage, i.currency,
                   coalesce(f.amount, i.amount_due)::text as amount,
                   i.status = 'finalized' and i.amount_due > 0 as open,
                   m.id as method_id, m.type as method_type, m.gateway as method_gateway, m.token as method_token,
                   f.id as in_flight
              from due d join invoices i on i.id = d.id
              -- An attempt of an earlier claim that never learnt its outcome goes again as it was sent.
              left join lateral (
                select a.id, a.amount, a.payment_method_id from payment_attempts a
                 where a.invoice_id = i.id and a.status = 'pending' and a.gateway_reference is null
                 order by a.created_at desc, a.id desc limit 1
              ) f on true
              left join lateral (
                select pm.id, pm.type, pm.gateway, pm.token from payment_methods pm
                 where pm.customer_id = i.customer_id
                   and case when f.id is null
                            then pm.is_default and pm.type <> 'invoice' and pm.gateway is not null and pm.gateway <> 'manual'
                            else pm.id = f.payment_method_id end
                 limit 1
              ) m on true
          ),
          queued as (
            update invoices i
               set next_charge_at = case when s.open and s.method_id is not null then ${iso(leaseUntil)}::timestamptz end
              from subject s
             where i.id = s.id
          )
          select id, number, customer_id, lineage, amount, currency, method_id, method_type, method_gateway,
                 method_token, in_flight
            from subject where open and method_id is not null order by id`,
        Schema.decodeUnknown(Schema.Array(DueRow))
      ).pipe(Effect.map((rows) =>
        rows.map((row): DueCharge => ({
          invoice_id: row.id,
          invoice_number: row.number,
          customer_id: row.customer_id,
          lineage: row.lineage,
          amount: money(row.amount, row.currency),
          payment_method: { id: row.method_id, type: row.method_type, gateway: row.method_gateway, token: row.method_token },
          attempt_in_flight: row.in_flight
        }))
      ))

    const selectAttempt = sql`
      select a.id, a.invoice_id, a.customer_id, a.lineage, a.gateway, a.payment_method_id, a.amount::text as amount,
             a.currency, a.status, a.decline_code, a.failure_reason, a.gateway_reference, a.payment_id,
             ${sql.literal(epochMillisSql("a.created_at"))} as created_ms
        from payment_attempts a`

    const lockOne = (where: Statement.Fragment) =>
      Effect.flatMap(sql`${selectAttempt} ${where} for update`, (rows) =>
        Effect.map(
          Schema.decodeUnknown(Schema.Array(AttemptRow))(rows.slice(0, 1)),
          (decoded) => Option.fromNullable(decoded.map(toAttempt)[0])
        ))

    return CollectorRepo.of({
      claimDue: (at, leaseUntil, limit) => orPersistenceError(claimDue(at, leaseUntil, limit)),
      insertAttempts: (attempts, at) =>
        attempts.length === 0
          ? Effect.void
          : orPersistenceError(sql`insert into payment_attempts ${
            sql.insert(attempts.map((a) => ({
              id: a.id,
              invoice_id: a.invoice_id,
              customer_id: a.customer_id,
              lineage: [...a.lineage],
              gateway: a.gateway,
              payment_method_id: a.payment_method_id,
              amount: formatDecimal(a.amount.amount),
              currency: a.amount.currency,
              status: "pending",
              decline_code: null,
              failure_reason: a.failure_reason,
              gateway_reference: a.gateway_reference,
              payment_id: null,
              created_at: iso(at),
              updated_at: iso(at)
            })))
          }`).pipe(Effect.asVoid),
      lockAttempt: (id) => orPersistenceError(lockOne(sql`where a.id = ${id}`)),
      lockAttemptByReference: (gateway, reference) =>
        orPersistenceError(lockOne(sql`where a.gateway = ${gateway} and a.gateway_reference = ${reference}`)),
      saveAttempt: (id, outcome, at) =>
        orPersistenceError(sql`update payment_attempts set ${
          sql.update({
            status: outcome.status,
            decline_code: outcome.decline_code,
            failure_reason: outcome.failure_reason,
            gateway_reference: outcome.gateway_reference,
            payment_id: outcome.payment_id,
            updated_at: iso(at)
          })
        } where id = ${id}`).pipe(Effect.asVoid),
      chargeState: (invoiceId) =>
        orPersistenceError(Effect.map(
          sql<{ readonly charge_failures: number; readonly first_failure_ms: number | null }>`
            select i.charge_failures,
                   (select ${sql.literal(epochMillisSql("min(a.created_at)"))} from payment_attempts a
                     where a.invoice_id = i.id and a.status = 'failed') as first_failure_ms
              from invoices i where i.id = ${invoiceId}`,
          (rows) => ({
            charge_failures: Number(rows[0]?.charge_failures ?? 0),
            first_failure_at: rows[0]?.first_failure_ms == null ? null : DateTime.unsafeMake(Number(rows[0].first_failure_ms))
          })
        )),
      scheduleCharge: (invoiceId, next, failed, at) =>
        orPersistenceError(sql`
          update invoices
             set next_charge_at = ${next === null ? null : iso(next)}::timestamptz,
                 charge_failures = charge_failures + ${failed ? 1 : 0},
                 updated_at = ${iso(at)}
           where id = ${invoiceId}`).pipe(Effect.asVoid),
      markDisputed: (invoiceId, at) =>
        orPersistenceError(sql`
          update invoices set disputed = true, updated_at = ${iso(at)} where id = ${invoiceId} and not disputed`).pipe(Effect.asVoid)
    })
  })
)
