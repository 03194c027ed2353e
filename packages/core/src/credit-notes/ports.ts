import type * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { StoredCreditNote } from "../payments/model.js"
import type { PersistenceError } from "../shared/errors.js"

/** Credit notes by id, and what an invoice was credited already. */
export class CreditNoteRepo extends Context.Tag("@provisio/core/CreditNoteRepo")<CreditNoteRepo, {
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredCreditNote>, PersistenceError>
  /** The gross of the invoice and refund credit notes against the invoice. */
  readonly creditedOn: (invoiceId: string) => Effect.Effect<BigDecimal.BigDecimal, PersistenceError>
}>() {}
