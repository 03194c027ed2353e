import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { CustomerRepo } from "../customers/ports.js"
import { AccountRepo } from "../identity/ports.js"
import type { Principal } from "../identity/model.js"
import { reachableBy } from "../identity/policy.js"
import { InvoiceRepo } from "../invoices/ports.js"
import { UpstreamInvoiceRepo } from "../channel/ports.js"
import type { Invoice } from "../invoices/model.js"
import { SettingsRepo } from "../settings/ports.js"
import { InvalidState, NotFound, type PersistenceError } from "../shared/errors.js"
import { CreditNoteRepo } from "../credit-notes/ports.js"
import { creditNoteFilename, DOCUMENT_FORMATS, documentFilename, type DocumentKind, type InvoiceDocument, type RenderedDocument } from "./model.js"
import { DocumentRenderer, FrozenParties, type PartySources } from "./ports.js"
import { partiesFrom } from "./parties.js"

/**
 * An invoice's documents. Whoever may read the invoice may read its documents; a draft has none
 * (409 invalid_state: it still changes), nor has a draft voided before it was ever issued. Every document is rendered from what is stored, on each
 * request, with the parties' details kept at finalization: the same invoice always gives the same bytes.
 */
export const make = Effect.gen(function* () {
  const invoices = yield* InvoiceRepo
  const customers = yield* CustomerRepo
  const accounts = yield* AccountRepo
  const settings = yield* SettingsRepo
  const renderer = yield* DocumentRenderer
  const notes = yield* CreditNoteRepo
  const frozen = yield* FrozenParties
  const upstream = yield* UpstreamInvoiceRepo

  /** The invoice's parties as they were at finalization (as they are now for invoices from before that was kept). */
  const assemble = (invoice: Invoice): Effect.Effect<InvoiceDocument, NotFound | InvalidState | PersistenceError> =>
    Effect.gen(function* () {
      if (invoice.status === "draft") {
        return yield* new InvalidState({ message: `invoice ${invoice.id} is a draft: it has no documents until it is finalized` })
      }
      // A draft voided before it was finalized was never issued: no number, no issue date, nothing to print.
      if (invoice.finalized_at === null) {
        return yield* new InvalidState({ message: `invoice ${invoice.id} was voided as a draft: it was never issued, so it has no documents` })
      }
      const sources = yield* Effect.flatMap(frozen.ofInvoice(invoice.id), Option.match({
        onNone: () => currentSources(invoice.issuer_account_id, invoice.customer_id),
        onSome: Effect.succeed
      }))
      return { invoice, ...partiesFrom(invoice.issuer_account_id, sources) }
    })

  const findCustomer = (customerId: string) =>
    customers.findById(customerId).pipe(
      Effect.flatMap(Option.match({
        onNone: () => new NotFound({ message: `customer ${customerId} not found` }),
        onSome: (stored) => Effect.succeed(stored.customer)
      }))
    )

  /** The parties' details as stored now. */
  const currentSources = (issuerAccountId: string, customerId: string) =>
    Effect.gen(function* () {
      const customer = yield* findCustomer(customerId)
      const account = yield* accounts.findById(issuerAccountId)
      const stored = yield* settings.find(issuerAccountId)
      const sources: PartySources = {
        account_name: Option.getOrNull(Option.map(account, (a) => a.name)),
        legal: Option.getOrNull(Option.map(stored, (s) => s.legal)),
        branding: Option.getOrNull(Option.map(stored, (s) => s.branding)),
        customer
      }
      return sources
    })

  const render = (document: InvoiceDocument, kind: DocumentKind): Effect.Effect<RenderedDocument> =>
    Effect.map(
      kind === "pdf" ? renderer.pdf(document) : Effect.map(renderer.ubl(document), (xml) => new TextEncoder().encode(xml)),
      (content) => ({ filename: documentFilename(document.invoice, kind), contentType: DOCUMENT_FORMATS[kind].contentType, content })
    )

  /**
   * An upstream invoice's document: its issuer sells, the account it bills buys (that account's
   * settings.legal as they were at issue), from the same builders as a customer's invoice.
   */
  const upstreamDocument = (principal: Principal, invoiceId: string) =>
    Effect.gen(function* () {
      const stored = yield* upstream.findById(invoiceId).pipe(reachableBy(principal, "invoice", invoiceId))
      const sources = yield* Effect.flatMap(upstream.partiesOf(invoiceId), Option.match({
        onNone: () => new NotFound({ message: `invoice ${invoiceId} not found` }),
        onSome: Effect.succeed
      }))
      return { invoice: stored.invoice, ...partiesFrom(stored.invoice.issuer_account_id, sources) } satisfies InvoiceDocument
    })

  /** The caller's invoice (out of scope reads as missing) as a document of that kind. */
  const invoiceDocument = (principal: Principal, invoiceId: string, kind: DocumentKind) =>
    Effect.gen(function* () {
      const found = yield* invoices.findById(invoiceId)
      const document = Option.isSome(found)
        ? yield* assemble((yield* Effect.succeed(found).pipe(reachableBy(principal, "invoice", invoiceId))).invoice)
        : yield* upstreamDocument(principal, invoiceId)
      return yield* render(document, kind)
    })

  /**
   * The system's read, for what the platform sends on the customer's behalf (the invoice email's
   * attachments): no principal, as the delivery engine has none.
   */
  const renderForDelivery = (invoiceId: string, kinds: ReadonlyArray<DocumentKind>) =>
    Effect.gen(function* () {
      const stored = yield* invoices.findById(invoiceId).pipe(
        Effect.flatMap(Option.match({
          onNone: () => new NotFound({ message: `invoice ${invoiceId} not found` }),
          onSome: Effect.succeed
        }))
      )
      const document = yield* assemble(stored.invoice)
      return yield* Effect.forEach(kinds, (kind) => render(document, kind))
    })

  /** The caller's credit note (out of scope reads as missing) as a document: issued by its invoice's issuer, else the customer's partner. */
  const creditNoteDocument = (principal: Principal, creditNoteId: string, kind: DocumentKind) =>
    Effect.gen(function* () {
      const { credit_note } = yield* notes.findById(creditNoteId).pipe(reachableBy(principal, "credit note", creditNoteId))
      const invoice = credit_note.invoice_id === null ? null : Option.getOrNull(Option.map(yield* invoices.findById(credit_note.invoice_id), (s) => s.invoice))
      const issuerId = invoice?.issuer_account_id ?? (yield* findCustomer(credit_note.customer_id)).partner_id
      const sources = yield* Effect.flatMap(frozen.ofCreditNote(credit_note.id), Option.match({
        onNone: () => currentSources(issuerId, credit_note.customer_id),
        onSome: Effect.succeed
      }))
      const document = { credit_note, invoice, ...partiesFrom(issuerId, sources) }
      const content = kind === "pdf"
        ? yield* renderer.creditNotePdf(document)
        : new TextEncoder().encode(yield* renderer.creditNoteUbl(document))
      return { filename: creditNoteFilename(credit_note, kind), contentType: DOCUMENT_FORMATS[kind].contentType, content } satisfies RenderedDocument
    })

  return {
    creditNotePdf: (principal: Principal, id: string) => Effect.map(creditNoteDocument(principal, id, "pdf"), (d) => d.content),
    creditNoteUbl: (principal: Principal, id: string) =>
      Effect.map(creditNoteDocument(principal, id, "ubl"), (d) => new TextDecoder().decode(d.content)),
    creditNoteDocument,
    invoicePdf: (principal: Principal, invoiceId: string) => Effect.map(invoiceDocument(principal, invoiceId, "pdf"), (d) => d.content),
    invoiceUbl: (principal: Principal, invoiceId: string) =>
      Effect.map(invoiceDocument(principal, invoiceId, "ubl"), (d) => new TextDecoder().decode(d.content)),
    invoiceDocument,
    renderForDelivery
  }
})

export class Documents extends Context.Tag("@provisio/core/Documents")<Documents, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Documents, make)
}
