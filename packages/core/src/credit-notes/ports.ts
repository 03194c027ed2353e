import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { StoredCreditNote } from "../payments/model.js"
import type { PersistenceError } from "../shared/errors.js"
import type { CreditedLine, EarlierCredits } from "./plan.js"

/** Credit notes by id, and what an invoice was credited already (in all and per line). */
export class CreditNoteRepo extends Context.Tag("@provisio/core/CreditNoteRepo")<CreditNoteRepo, {
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredCreditNote>, PersistenceError>
  /** What the invoice and refund credit notes against the invoice credited, in all and per line. */
  readonly earlierCredits: (invoiceId: string) => Effect.Effect<EarlierCredits, PersistenceError>
  /** Keeps what a new note credited of each line it named. */
  readonly insertLines: (creditNoteId: string, invoiceId: string, lines: ReadonlyArray<CreditedLine>) => Effect.Effect<void, PersistenceError>
}>() {}
