import * as Context from "effect/Context"
import type * as BigDecimal from "effect/BigDecimal"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { StoredPayment } from "./model.js"
import type { RefundStatus, StoredRefund, UnspentCredit } from "./refunds-model.js"

/** Refunds and what they change, each method in the caller's transaction. */
export class RefundRepo extends Context.Tag("@provisio/core/RefundRepo")<RefundRepo, {
  /** The payment, locked: refunds of one payment are made one at a time. */
  readonly lockPayment: (id: string) => Effect.Effect<Option.Option<StoredPayment>, PersistenceError>
  /** The succeeded payment the gateway knows by `reference`, locked. */
  readonly lockPaymentByReference: (
    gateway: string,
    reference: string
  ) => Effect.Effect<Option.Option<StoredPayment>, PersistenceError>
  /** The payment's refunds, oldest first (read under the payment's lock). */
  readonly refundsOf: (paymentId: string) => Effect.Effect<ReadonlyArray<StoredRefund>, PersistenceError>
  readonly insertRefund: (stored: StoredRefund) => Effect.Effect<void, PersistenceError>
  readonly saveRefund: (
    id: string,
    fields: {
      readonly status: RefundStatus
      readonly gateway_reference: string | null
      readonly failure_reason: string | null
      readonly credit_note_id: string | null
    },
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
  /**
   * The credit the payment left unspent, oldest first, locked: its overpayment notes, and when
   * its invoice is void, that invoice's `void` notes.
   */
  readonly unspentCredit: (paymentId: string, invoiceId: string) => Effect.Effect<ReadonlyArray<UnspentCredit>, PersistenceError>
  /**
   * The customer credit the invoice's own credit notes (kind `invoice`, on a settled invoice)
   * left unspent, oldest first, locked: a refund of an invoice credited in full takes it back.
   */
  readonly invoiceNoteCredit: (invoiceId: string) => Effect.Effect<ReadonlyArray<UnspentCredit>, PersistenceError>
  /** The gross of the invoice's refunds still `pending` (any of its payments): they will take from the same room. */
  readonly pendingOn: (invoiceId: string) => Effect.Effect<BigDecimal.BigDecimal, PersistenceError>
  /** Lowers a credit note's `remaining` by `amount`. */
  readonly spendCredit: (creditNoteId: string, amount: BigDecimal.BigDecimal, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
}>() {}
