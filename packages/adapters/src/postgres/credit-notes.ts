import * as SqlClient from "@effect/sql/SqlClient"
import { CreditNoteRepo } from "@provisio/core/credit-notes/ports"
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
    return CreditNoteRepo.of({
      findById: (id) =>
        orPersistenceError(Effect.flatMap(sql`${creditNoteSelect(sql)} where c.id = ${id}`, decodeCreditNotes)).pipe(
          Effect.map((notes) => Option.fromNullable(notes[0]))
        ),
      creditedOn: (invoiceId) =>
        orPersistenceError(sql<{ readonly total: string }>`
          select coalesce(sum(amount), 0)::text as total from credit_notes
           where invoice_id = ${invoiceId} and kind in ('invoice', 'refund')`).pipe(
          Effect.map((rows) => BigDecimal.unsafeFromString(rows[0]?.total ?? "0"))
        )
    })
  })
)
