import * as SqlClient from "@effect/sql/SqlClient"
import { CreditNoteRepo } from "@provisio/core/credit-notes/ports"
import { formatDecimal } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { creditNoteSelect, decodeCreditNotes } from "./payments.js"
import { orPersistenceError } from "./persistence.js"

export const CreditNoteRepoLive = Layer.effect(
  CreditNoteRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const decimal = (text: string | null | undefined) => BigDecimal.unsafeFromString(text ?? "0")
    return CreditNoteRepo.of({
      findById: (id) =>
        orPersistenceError(Effect.flatMap(sql`${creditNoteSelect(sql)} where c.id = ${id}`, decodeCreditNotes)).pipe(
          Effect.map((notes) => Option.fromNullable(notes[0]))
        ),
      // A note with no line rows (a gross amount, a refund, one written before 0036) is spread:
      // its net (subtotal; the gross for a note older than tax) counts against every line in proportion.
      earlierCredits: (invoiceId) =>
        orPersistenceError(Effect.gen(function* () {
          const totals = yield* sql<{ readonly gross: string; readonly spread: string }>`
            select coalesce(sum(c.amount), 0)::text as gross,
                   coalesce(sum(coalesce(c.subtotal, c.amount)) filter (
                     where not exists (select 1 from credit_note_lines cl where cl.credit_note_id = c.id)), 0)::text as spread
              from credit_notes c
             where c.invoice_id = ${invoiceId} and c.kind in ('invoice', 'refund')`
          const lines = yield* sql<{ readonly line: number; readonly amount: string; readonly quantity: string | null }>`
            select cl.line, sum(cl.amount)::text as amount, sum(cl.quantity)::text as quantity
              from credit_note_lines cl join credit_notes c on c.id = cl.credit_note_id
             where cl.invoice_id = ${invoiceId} and c.kind in ('invoice', 'refund')
             group by cl.line`
          return {
            gross: decimal(totals[0]?.gross),
            spread: decimal(totals[0]?.spread),
            lines: lines.map((l) => ({
              line: Number(l.line),
              amount: decimal(l.amount),
              quantity: l.quantity === null ? null : decimal(l.quantity)
            }))
          }
        })),
      insertLines: (creditNoteId, invoiceId, lines) =>
        lines.length === 0
          ? Effect.void
          : orPersistenceError(sql`insert into credit_note_lines ${
            sql.insert(lines.map((l) => ({
              credit_note_id: creditNoteId,
              invoice_id: invoiceId,
              line: l.line,
              amount: formatDecimal(l.amount),
              quantity: l.quantity === null ? null : formatDecimal(l.quantity)
            })))
          }`).pipe(Effect.asVoid)
    })
  })
)
