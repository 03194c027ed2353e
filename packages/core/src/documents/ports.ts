import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { Address } from "../customers/model.js"
import type { Branding, Legal } from "../settings/model.js"
import type { PersistenceError } from "../shared/errors.js"
import type { CreditNoteDocument, InvoiceDocument } from "./model.js"

/**
 * Renders documents (pdfkit and an XML builder in the shipped adapters). Rendering is pure: the
 * same document gives the same bytes, which is what lets Provisio render on every request rather
 * than store files. A renderer that fails has a bug: it dies.
 */
export class DocumentRenderer extends Context.Tag("@provisio/core/DocumentRenderer")<DocumentRenderer, {
  readonly pdf: (document: InvoiceDocument) => Effect.Effect<Uint8Array>
  /** A UBL 2.1 Invoice (Peppol BIS Billing 3.0), as UTF-8 XML text. */
  readonly ubl: (document: InvoiceDocument) => Effect.Effect<string>
  readonly creditNotePdf: (document: CreditNoteDocument) => Effect.Effect<Uint8Array>
  /** A UBL 2.1 CreditNote with a BillingReference to its invoice. */
  readonly creditNoteUbl: (document: CreditNoteDocument) => Effect.Effect<string>
}>() {}

/**
 * What a document's parties are made from: the issuer's account, legal details and brand, the
 * buyer (`customer`): a customer, or the account an upstream invoice bills, from its
 * `settings.legal` (name, address, country, tax id; migration 0035 `provisio_upstream_parties`).
 */
export interface PartySources {
  readonly account_name: string | null
  readonly legal: Legal | null
  readonly branding: Branding | null
  readonly customer: {
    readonly id: string
    readonly name: string
    readonly address: Address | null
    /** The buyer's country when its address does not say it (an account's legal country). */
    readonly country?: string | null | undefined
    readonly tax_id: string | null
    readonly tax_exempt: string
    readonly email: string | null
    readonly language: string
  }
}

/**
 * The parties' details as they were when an invoice was finalized or a credit note made, kept
 * with it so its documents never change; none for invoices finalized before they were kept.
 */
export class FrozenParties extends Context.Tag("@provisio/core/FrozenParties")<FrozenParties, {
  readonly ofInvoice: (invoiceId: string) => Effect.Effect<Option.Option<PartySources>, PersistenceError>
  readonly ofCreditNote: (creditNoteId: string) => Effect.Effect<Option.Option<PartySources>, PersistenceError>
}>() {}
