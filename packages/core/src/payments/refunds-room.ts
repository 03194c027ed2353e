import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import { CreditNoteRepo } from "../credit-notes/ports.js"
import { type Invoice, invoiceGross } from "../invoices/model.js"
import { RefundRepo } from "./refunds-ports.js"
import type { UnspentCredit } from "./refunds-model.js"

/**
 * Where a refund is taken from, in this order (docs/collection.md "Refunds"): the payment's
 * unspent credit, then what is left to credit of its invoice (a credit note of kind `refund`),
 * then the customer credit the invoice's own credit notes left unspent. An invoice is never
 * credited past its gross: money paid on an invoice already credited in full went to the
 * customer's credit, and that credit is what goes back.
 */
export interface RefundRoom {
  /** The payment's overpayment notes, or what it paid on the invoice since voided. */
  readonly unspent: ReadonlyArray<UnspentCredit>
  /** The invoice's gross less its `invoice` and `refund` notes; none for a void invoice. */
  readonly left: BigDecimal.BigDecimal
  /** What the invoice's `invoice` notes made customer credit (on a settled invoice) and is unspent. */
  readonly invoiceCredit: ReadonlyArray<UnspentCredit>
}

const zero = BigDecimal.fromBigInt(0n)
export const sumCredit = (credits: ReadonlyArray<UnspentCredit>) =>
  credits.reduce((sum, c) => BigDecimal.sum(sum, c.remaining.amount), zero)

/** All a refund can take, the three together. */
export const roomTotal = (room: RefundRoom) =>
  BigDecimal.sum(BigDecimal.sum(sumCredit(room.unspent), room.left), sumCredit(room.invoiceCredit))

/** The room of a refund of `paymentId`; `invoice` is locked by the caller, so credit notes wait. */
export const makeRefundRoom = Effect.gen(function* () {
  const repo = yield* RefundRepo
  const notes = yield* CreditNoteRepo
  return (paymentId: string, invoice: Invoice) =>
    Effect.gen(function* () {
      const unspent = yield* repo.unspentCredit(paymentId, invoice.id)
      if (invoice.status === "void") return { unspent, left: zero, invoiceCredit: [] } satisfies RefundRoom
      const gross = invoiceGross(invoice)
      const credited = (yield* notes.earlierCredits(invoice.id)).gross
      const left = BigDecimal.max(BigDecimal.subtract(gross, credited), zero)
      return { unspent, left, invoiceCredit: yield* repo.invoiceNoteCredit(invoice.id) } satisfies RefundRoom
    })
})
