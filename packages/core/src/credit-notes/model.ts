import * as Schema from "effect/Schema"
import { DecimalString, Money } from "../shared/money.js"
import { readOnlyField } from "../shared/read-only.js"
import { Text } from "../shared/text.js"

/** One line of an invoice credited: the line (its 1-based place in the invoice's `lines`), by net amount or quantity. */
export const CreditNoteLineInput = Schema.Struct({
  /** The line's place in the invoice's `lines`, from "1" (invoice lines have no ids of their own). */
  line_id: Schema.String,
  /**
   * Net, at most the line's amount: a decimal string ("25.00"), or money in the invoice's currency
   * ({"amount": "25.00", "currency": "EUR"}) as every other amount of the API is written.
   */
  amount: Schema.optional(Schema.Union(DecimalString, Money)),
  /** At most the line's quantity: that share of its amount. */
  quantity: Schema.optional(DecimalString)
}).annotations({ identifier: "CreditNoteLineInput" })
export type CreditNoteLineInput = typeof CreditNoteLineInput.Type

/** `POST /invoices/{id}/credit-notes`: a gross `amount`, or `lines`; not both. */
export class CreateInvoiceCreditNote extends Schema.Class<CreateInvoiceCreditNote>("CreateInvoiceCreditNote")({
  /** Gross (tax included), at most what the invoice still has to credit. */
  amount: Schema.optional(Money),
  lines: Schema.optional(Schema.Array(CreditNoteLineInput)),
  reason: Text(500),
  /** The invoice in the path and its customer: another one named here is 422, not dropped unseen. */
  invoice_id: readOnlyField,
  customer_id: readOnlyField
}) {}
