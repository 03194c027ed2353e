import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import { prefixedId } from "../shared/ids.js"
import { Money } from "../shared/money.js"
import { Timestamp } from "../shared/time.js"

/**
 * Bank-transfer reconciliation: a bank statement (`stm_`, a camt.053 document or a CSV file) is
 * imported by the issuing side; each of its transactions becomes a line (`stl_`). A credit whose
 * reference names an invoice of the importer's scope (its number, or the structured creditor
 * reference `RF..` made from it, references.ts) becomes a payment of that invoice through the
 * shared `applyReceivedMoney` (payments/apply.ts): `matched` when it settles the invoice (the
 * excess becomes credit), `partial` when it pays less. A debit is `ignored`, except the bank's
 * return of a credit booked before (`RvslInd`), which reverses that credit's payment. Credits
 * that match nothing stay `unmatched` until someone assigns them to an invoice.
 *
 * Every transaction is keyed by the bank's references (camt: the account, the entry's
 * `AcctSvcrRef`/`NtryRef` and the transaction's refs; CSV: the row's fields), so a transaction is
 * booked once however often, and in however many statements, it arrives.
 */

export const StatementId = prefixedId("stm", "StatementId")
export type StatementId = typeof StatementId.Type
export const StatementLineId = prefixedId("stl", "StatementLineId")
export type StatementLineId = typeof StatementLineId.Type

/** `camt053`: an ISO 20022 BankToCustomerStatement (camt.053.001.02 to .08); `csv`: `date,amount,currency,reference,counterparty`. */
export const StatementFormat = Schema.Literal("camt053", "csv")
export type StatementFormat = typeof StatementFormat.Type

/**
 * `matched`: the line's payment settled its invoice (an excess became credit); `partial`: it paid
 * part of it; `unmatched`: a credit that named no payable invoice, waiting to be assigned;
 * `ignored`: a debit, an entry not booked yet, or a transaction imported before.
 */
export const LineStatus = Schema.Literal("matched", "partial", "unmatched", "ignored")
export type LineStatus = typeof LineStatus.Type

export class StatementLine extends Schema.Class<StatementLine>("StatementLine")({
  id: StatementLineId,
  statement_id: StatementId,
  /** When the bank booked it (a booking date alone is midnight UTC). */
  booked_at: Timestamp,
  /** Positive for money received (a credit), negative for money that left (a debit, a return). */
  amount: Money,
  /** The remittance information: the structured creditor reference if any, else the free text. */
  reference: Schema.NullOr(Schema.String),
  /** Who paid (for a credit) or was paid (for a debit), as the bank names them. */
  counterparty: Schema.NullOr(Schema.String),
  status: LineStatus,
  /** The invoice the line paid, or whose payment a return reversed. */
  invoice_id: Schema.NullOr(Schema.String),
  /** The payment the line made, or the one a return reversed. */
  payment_id: Schema.NullOr(Schema.String),
  /** Why the line is unmatched or ignored, or what happened to it since (a return). */
  note: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class Statement extends Schema.Class<Statement>("Statement")({
  id: StatementId,
  format: StatementFormat,
  /** The bank account of the statement (camt `Acct/Id`: an IBAN or the bank's own id); null for CSV. */
  account: Schema.NullOr(Schema.String),
  /** One per transaction, in the statement's order. */
  lines: Schema.Array(StatementLine),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class AssignLine extends Schema.Class<AssignLine>("AssignLine")({
  /** A finalized invoice of the caller's scope that still owes money, in the line's currency. */
  invoice_id: Schema.String
}) {}

/** What an import receives: the statement's text and how it is written. */
export interface StatementInput {
  readonly format: StatementFormat
  readonly content: string
}

/** A statement line as stored: the line and its scope (the importing account's lineage). */
export interface StoredLine {
  readonly line: StatementLine
  readonly lineage: ReadonlyArray<string>
  /** The transaction's key (see `ParsedLine.entry_key`). */
  readonly entry_key: string
  readonly position: number
  /** The bank's own reference for the transaction, kept on its payment as `gateway_reference`. */
  readonly bank_reference: string | null
  /** What a later return of this credit is recognised by (`ParsedLine.match_refs`). */
  readonly match_refs: ReadonlyArray<string>
  /** The return line that reversed this credit's payment. */
  readonly reversed_by: string | null
  /** The line that booked the same transaction first, for a line ignored as imported before. */
  readonly duplicate_of: string | null
}

export interface StoredStatement {
  readonly statement: Statement
  readonly account_id: string
  readonly lineage: ReadonlyArray<string>
  /** Identifies the bank's statement (camt: its account and `Stmt/Id`s; CSV: its rows). */
  readonly statement_key: string
}

// What the readers of the two formats make (csv.ts, camt053.ts) ------------------------------------

/** One transaction of a statement, as read, before it is matched. */
export interface ParsedLine {
  /**
   * The transaction's identity at the bank, the same in every statement that carries it: camt
   * `camt:<account>:<AcctSvcrRef | NtryRef>:<the transaction's AcctSvcrRef | TxId | place in the
   * entry>`; CSV the row's fields and its place among identical rows.
   */
  readonly entry_key: string
  readonly booked_at: DateTime.Utc
  /** Signed: negative for a debit. Exact, with at most the currency's digits. */
  readonly amount: Money
  /** A debit with `RvslInd` true: the bank gave a credit back. */
  readonly is_return: boolean
  /** Booked (camt `Sts` BOOK; every CSV row): only booked lines move money. */
  readonly booked: boolean
  readonly reference: string | null
  /** The texts that may name an invoice, the structured ones (creditor references) first. */
  readonly references: ReadonlyArray<{ readonly text: string; readonly structured: boolean }>
  readonly counterparty: string | null
  readonly bank_reference: string | null
  /**
   * What ties a credit and its return: `e2e:<EndToEndId>`, `tx:<TxId>`, `instr:<InstrId>` and
   * `ref:<reference>` (the last only as a fallback).
   */
  readonly match_refs: ReadonlyArray<string>
}

export interface ParsedStatement {
  readonly format: StatementFormat
  readonly statement_key: string
  readonly account: string | null
  readonly lines: ReadonlyArray<ParsedLine>
}
