import type { DocumentReference, RenderedDocument } from "../documents/model.js"

/**
 * Notifications: emails to a customer's billing contact about its invoices and payments, sent as
 * deliveries of kind `email` (retried, dead, replayable like every delivery). What each event
 * says is in templates.ts; who receives it and whose brand it carries, in the directory (ports.ts).
 */

/** An email as a delivery carries it (its body, JSON): rendered when the event is dispatched. */
export interface EmailMessage {
  readonly to: ReadonlyArray<string>
  /** The issuing partner's display name, shown as the sender's name. */
  readonly from_name: string
  /** The partner's support address, for answers. */
  readonly reply_to: string | null
  readonly subject: string
  readonly text: string
  readonly html: string
  readonly language: string
  /** The template it was rendered from, e.g. `invoice.finalized`. */
  readonly template: string
  /**
   * The documents it carries, by reference: the sender renders them when it sends (the
   * delivery's body stays small, and a document renders the same bytes every time). Absent: none.
   */
  readonly documents?: DocumentReference | undefined
  /** The documents rendered, added at sending only (never stored): what the sender attaches. */
  readonly attachments?: ReadonlyArray<RenderedDocument> | undefined
}

/** How a partner presents itself in its emails (from its settings' branding). */
export interface Brand {
  readonly name: string
  readonly primary_color: string | null
  readonly logo_url: string | null
  readonly support_email: string | null
}

/** Who a customer's emails go to, in which language, under whose brand. */
export interface Recipient {
  readonly customer_id: string
  readonly customer_name: string
  /** Its contacts whose role is `billing`, else its own email; empty when it has neither. */
  readonly emails: ReadonlyArray<string>
  /** A language tag (`de`, `en`, ...); templates fall back to `en`. */
  readonly language: string
  /** It asked for e-invoices: the invoice email attaches the UBL beside the PDF. */
  readonly e_invoicing: boolean
  readonly brand: Brand
}
