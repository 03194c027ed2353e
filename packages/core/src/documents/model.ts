import type { Address } from "../customers/model.js"
import type { AnyInvoice, Invoice } from "../invoices/model.js"
import type { CreditNote } from "../payments/model.js"

/**
 * Documents: an invoice as a PDF for people and a UBL 2.1 e-invoice for machines. A document is
 * rendered from the finalized invoice and the parties' details as stored, deterministically: the
 * same invoice renders the same bytes, so nothing is stored (see docs/documents.md).
 */

export const DOCUMENT_KINDS = ["pdf", "ubl"] as const
export type DocumentKind = (typeof DOCUMENT_KINDS)[number]

/** The media type and file extension of each kind. */
export const DOCUMENT_FORMATS: Record<DocumentKind, { readonly contentType: string; readonly extension: string }> = {
  pdf: { contentType: "application/pdf", extension: "pdf" },
  ubl: { contentType: "application/xml", extension: "xml" }
}

/**
 * One party of a document: the seller (the invoice's issuer) or the buyer (its customer, or the
 * account an upstream invoice bills: its `settings.legal`).
 */
export interface DocumentParty {
  /** The legal name (the issuer's `settings.legal.name`, else its account name; the customer's name). */
  readonly name: string
  readonly address: Address | null
  /** The party's country: the legal country, else the address's. */
  readonly country: string | null
  readonly tax_id: string | null
  readonly email: string | null
}

/** The seller's side: its party, how it presents itself and where to pay it. */
export interface DocumentIssuer extends DocumentParty {
  /** The brand shown on top: `branding.display_name`, else the legal name. */
  readonly display_name: string
  /** `#RRGGBB`, or null for the default. */
  readonly primary_color: string | null
  readonly logo_url: string | null
  readonly iban: string | null
  readonly bic: string | null
  readonly payment_instructions: string | null
}

/** Everything a document shows: nothing else is read while rendering. */
export interface InvoiceDocument {
  /** A customer's invoice, or an upstream one (its buyer, `customer`, is then the account billed). */
  readonly invoice: AnyInvoice
  readonly issuer: DocumentIssuer
  readonly customer: DocumentParty & { readonly id: string; readonly language: string; readonly tax_exempt: string }
}

/** What an email carries instead of the documents themselves: rendered when the email is sent. */
export interface DocumentReference {
  readonly invoice_id: string
  readonly kinds: ReadonlyArray<DocumentKind>
}

/** A rendered document, named as the export and the email attachments name it. */
export interface RenderedDocument {
  readonly filename: string
  readonly contentType: string
  readonly content: Uint8Array
}

/** `INV-2026-000123.pdf`: the number with anything unsafe in a file name replaced. */
export const documentFilename = (invoice: AnyInvoice, kind: DocumentKind): string =>
  `${(invoice.number ?? invoice.id).replace(/[^A-Za-z0-9._-]/g, "_")}.${DOCUMENT_FORMATS[kind].extension}`

/** A credit note's document: the note, the invoice it credits (its BillingReference), both parties. */
export interface CreditNoteDocument {
  readonly credit_note: CreditNote
  /** Null for balance credit, which credits no invoice. */
  readonly invoice: Invoice | null
  readonly issuer: DocumentIssuer
  readonly customer: InvoiceDocument["customer"]
}

/** `crn_....pdf`: a credit note has no number of its own, its id names it. */
export const creditNoteFilename = (note: CreditNote, kind: DocumentKind): string =>
  `${note.id}.${DOCUMENT_FORMATS[kind].extension}`
