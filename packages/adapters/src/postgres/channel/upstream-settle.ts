import type * as SqlClient from "@effect/sql/SqlClient"
import type { StoredUpstreamInvoice } from "@provisio/core/channel/model"
import { formatDecimal } from "@provisio/core/shared/money"
import type * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { decodeUpstream, UPSTREAM_DUE, upstreamJson } from "./upstream-read.js"

/**
 * An upstream invoice's void and payments: its issuer's, kept on its own rows (no customer
 * ledger, no credit notes, no collection). Each answers the invoice as it now is.
 */

const changed = (rows: ReadonlyArray<{ readonly invoice: unknown; readonly lineage: unknown }>) =>
  Effect.map(decodeUpstream(rows), (decoded): Option.Option<StoredUpstreamInvoice> => Option.fromNullable(decoded[0]))

/**
 * Voids a finalized upstream invoice with nothing paid on it and gives its costs back: they are
 * pending again, so the period's next billing run invoices them afresh (those of customer
 * invoices voided meanwhile left out). None when it is not finalized or something was paid.
 */
export const voidUpstream = (sql: SqlClient.SqlClient, id: string, at: DateTime.Utc) =>
  Effect.gen(function* () {
    const iso = DateTime.formatIso(at)
    const rows = yield* sql<{ readonly invoice: unknown; readonly lineage: unknown }>`
      with voided as (
        update upstream_invoices set status = 'void', voided_at = ${iso}, updated_at = ${iso}
         where id = ${id} and status = 'finalized' and amount_paid = 0
        returning *
      )
      select ${sql.unsafe(upstreamJson("u"))} as invoice, u.lineage from voided u`
    if (rows.length > 0) yield* sql`update channel_costs set upstream_invoice_id = null where upstream_invoice_id = ${id}`
    return yield* changed(rows)
  })

/**
 * Records `amount` received on a finalized upstream invoice (at most what it owes): `paid` once
 * nothing is left. None when it is not finalized or owes less than `amount`.
 */
export const payUpstream = (
  sql: SqlClient.SqlClient,
  id: string,
  paymentId: string,
  amount: BigDecimal.BigDecimal,
  at: DateTime.Utc
) =>
  Effect.gen(function* () {
    const iso = DateTime.formatIso(at)
    const value = formatDecimal(amount)
    const rows = yield* sql<{ readonly invoice: unknown; readonly lineage: unknown }>`
      with paid as (
        update upstream_invoices u
           set amount_paid = u.amount_paid + ${value}::numeric,
               status = case when u.total - u.amount_paid - ${value}::numeric <= 0 then 'paid' else u.status end,
               paid_at = case when u.total - u.amount_paid - ${value}::numeric <= 0 then ${iso}::timestamptz else u.paid_at end,
               updated_at = ${iso}
         where u.id = ${id} and u.status = 'finalized' and ${sql.unsafe(UPSTREAM_DUE("u"))} >= ${value}::numeric
        returning *
      ),
      recorded as (
        insert into upstream_payments (id, invoice_id, amount, currency, created_at)
        select ${paymentId}, p.id, ${value}::numeric, p.currency, ${iso} from paid p
      )
      select ${sql.unsafe(upstreamJson("u"))} as invoice, u.lineage from paid u`
    return yield* changed(rows)
  })
