import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { InvoiceStatus } from "../invoices/model.js"
import type { Payment } from "../payments/model.js"
import type { PersistenceError, ValidationError } from "../shared/errors.js"
import type { Money } from "../shared/money.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { Statement, StoredLine, StoredStatement } from "./model.js"
import type { XmlElement } from "./xml.js"

/** An invoice a reference may name, as matching needs it. */
export interface InvoiceCandidate {
  readonly id: string
  readonly number: string
  /** The number's letters and digits, upper case (`numberKey`). */
  readonly key: string
  readonly customer_id: string
  readonly status: InvoiceStatus
  readonly amount_due: Money
}

/** A credit line booked before whose payment a return may reverse. */
export interface ReturnableCredit {
  readonly line_id: string
  readonly payment_id: string
  readonly invoice_id: string
  readonly amount: Money
  readonly match_refs: ReadonlyArray<string>
}

/** A payment about to be reversed, locked, with the credit note its excess became, if any. */
export interface PaymentToReverse {
  readonly payment: Payment
  readonly lineage: ReadonlyArray<string>
  /** Some of it was refunded (or a refund is pending): the books no longer hold it as paid. */
  readonly refunded: boolean
  readonly credit_note: { readonly id: string; readonly amount: Money; readonly remaining: Money } | null
}

/**
 * Statements and their lines. Transaction keys (`ParsedLine.entry_key`) are stored hashed; the
 * repository hashes what it is given, so the core compares them as given.
 */
export class ReconciliationRepo extends Context.Tag("@provisio/core/ReconciliationRepo")<ReconciliationRepo, {
  /** The statement `accountId` imported under `statementKey`, with its lines. */
  readonly findStatementByKey: (
    accountId: string,
    statementKey: string
  ) => Effect.Effect<Option.Option<StoredStatement>, PersistenceError>
  readonly findStatement: (id: string) => Effect.Effect<Option.Option<StoredStatement>, PersistenceError>
  /** Statements whose lineage contains `within`, by id, each with its lines. */
  readonly listStatements: (within: string, page: PageRequest) => Effect.Effect<Page<Statement>, PersistenceError>
  /**
   * Stores the statement without its lines; false when its account imported the same key already
   * (a concurrent import of it waits for the first to commit).
   */
  readonly insertStatement: (stored: StoredStatement) => Effect.Effect<boolean, PersistenceError>
  /**
   * Claims the transactions for the lines about to be written, for the importing account: answers
   * the keys claimed now. A key the account booked before is not claimed again; one being
   * claimed by a concurrent import of the account waits for it.
   */
  readonly claimEntries: (
    importer: { readonly account_id: string; readonly lineage: ReadonlyArray<string> },
    claims: ReadonlyArray<{ readonly entry_key: string; readonly line_id: string }>
  ) => Effect.Effect<ReadonlySet<string>, PersistenceError>
  /**
   * For each of `keys` booked before by the account or by one above or below it, the line that
   * booked it; the lines `except` (the import run's own claims) are left out.
   */
  readonly entryOwners: (
    importer: { readonly account_id: string; readonly lineage: ReadonlyArray<string> },
    keys: ReadonlyArray<string>,
    except: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, string>, PersistenceError>
  /** Numbered invoices of `within`'s scope whose number key is one of `keys`: one query. */
  readonly findInvoices: (
    within: string,
    keys: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<InvoiceCandidate>, PersistenceError>
  /** Credit lines of `within`'s scope with a payment not reversed, sharing one of `refs`: one query. */
  readonly findReturnable: (
    within: string,
    refs: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<ReturnableCredit>, PersistenceError>
  readonly insertLines: (lines: ReadonlyArray<StoredLine>) => Effect.Effect<void, PersistenceError>
  readonly findLine: (id: string) => Effect.Effect<Option.Option<StoredLine>, PersistenceError>
  /** The same, locked for the transaction. */
  readonly lockLine: (id: string) => Effect.Effect<Option.Option<StoredLine>, PersistenceError>
  /** Writes a line's status, invoice, payment, note, reversal and `updated_at`. */
  readonly saveLine: (stored: StoredLine) => Effect.Effect<void, PersistenceError>
  readonly lockPaymentToReverse: (paymentId: string) => Effect.Effect<Option.Option<PaymentToReverse>, PersistenceError>
  /** Marks the payment `reversed` and empties its credit note, at `at`. */
  readonly saveReversal: (
    reversal: { readonly payment_id: string; readonly credit_note_id: string | null },
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
}>() {}

/**
 * Reads an XML document, or says where it is not well-formed (a `ValidationError` naming line
 * and column). The reader resolves namespaces and decodes the predefined entities and character
 * references; it refuses a DOCTYPE (no entity of the document's own is ever expanded).
 */
export class XmlReader extends Context.Tag("@provisio/core/XmlReader")<XmlReader, {
  readonly read: (text: string) => Effect.Effect<XmlElement, ValidationError>
}>() {}
