import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { ValidationError } from "../shared/errors.js"
import { type Currency, formatAmount, money } from "../shared/money.js"
import { isStorableText } from "../shared/text.js"
import { parseAmount, parseBookingTime, parseCurrency } from "./fields.js"
import type { ParsedLine, ParsedStatement } from "./model.js"
import { numberKey } from "./references.js"
import { at, childrenNamed, textAt, type XmlElement } from "./xml.js"

/**
 * A camt.053 bank statement (ISO 20022 BankToCustomerStatement, versions 001.02 to 001.08 and
 * the ones after, which keep these elements) read into its transactions:
 *
 * - every `Stmt` of the document, every `Ntry` of a statement; an entry with `TxDtls` (under
 *   `NtryDtls`) makes one line per transaction, a batch booking as much as a single one, each
 *   with its own amount (`TxDtls/Amt` from .04 on, `AmtDtls/TxAmt/Amt` or `AmtDtls/InstdAmt/Amt`)
 *   and parties; an entry without any makes one line;
 * - the amount is the entry's (`Amt`, `@Ccy`), signed by `CdtDbtInd`; `RvslInd` true on a debit
 *   marks a return of an earlier credit; only `Sts` BOOK moves money (`Sts/Cd` from .08 on);
 * - the booking date `BookgDt` (else the value date `ValDt`), as `Dt` or `DtTm`;
 * - the references that may name an invoice: `RmtInf/Strd/CdtrRefInf/Ref` and
 *   `RmtInf/Strd/RfrdDocInf/Nb` (structured), `RmtInf/Ustrd` (free text), then `Refs/EndToEndId`;
 * - the counterparty: the debtor of a credit, the creditor of a debit (`Nm`, or `Pty/Nm` from .08 on).
 *
 * Anything a line needs that is missing or wrong is a `ValidationError` naming its place
 * (`Stmt[1].Ntry[3].Amt`): nothing of such a statement is imported.
 */

const NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}$/

/** What the payer's bank puts in `EndToEndId` when the payer gave none. */
const NOT_PROVIDED = "NOTPROVIDED"

const MAX_TEXT = 1_000

type Read<A> = Either.Either<A, ValidationError>

const problem = (place: string, message: string): Read<never> =>
  Either.left(ValidationError.of(place, `${place}: ${message}`))

/** Text of the document kept on a line: storable, at most `MAX_TEXT` characters. */
const kept = (text: string | undefined): string | null => {
  if (text === undefined) return null
  const trimmed = text.replace(/\s+/g, " ").trim()
  if (trimmed === "" || !isStorableText(trimmed)) return null
  return trimmed.length > MAX_TEXT ? trimmed.slice(0, MAX_TEXT) : trimmed
}

/** An `Amt` element with its `Ccy`: positive, exact to the currency's digits. */
const amountOf = (element: XmlElement, place: string): Read<{ readonly amount: BigDecimal.BigDecimal; readonly currency: Currency }> =>
  Either.gen(function* () {
    const code = element.attributes["Ccy"]
    if (code === undefined) return yield* problem(place, "the Ccy attribute (the currency) is missing")
    const currency = yield* Either.mapLeft(parseCurrency(code), (message) => ValidationError.of(place, `${place}: Ccy: ${message}`))
    if (element.text.startsWith("-")) return yield* problem(place, "must not be negative (CdtDbtInd gives the direction)")
    const amount = yield* Either.mapLeft(
      parseAmount(element.text, currency),
      (message) => ValidationError.of(place, `${place}: ${JSON.stringify(element.text)} ${message}`)
    )
    return { amount, currency }
  })

const direction = (text: string | undefined, place: string): Read<"CRDT" | "DBIT"> =>
  text === "CRDT" || text === "DBIT" ? Either.right(text) : problem(place, `must be CRDT or DBIT, not ${JSON.stringify(text ?? "")}`)

/** A transaction's own amount, in whichever element its version of the message gives it. */
const transactionAmount = (tx: XmlElement): XmlElement | undefined =>
  at(tx, "Amt") ?? at(tx, "AmtDtls", "TxAmt", "Amt") ?? at(tx, "AmtDtls", "InstdAmt", "Amt")

/** A party's name: `Nm` (up to .04) or `Pty/Nm` (from .08 on). */
const partyName = (parties: XmlElement | undefined, role: string): string | undefined =>
  textAt(parties, role, "Nm") ?? textAt(parties, role, "Pty", "Nm")

interface Entry {
  readonly place: string
  readonly account: string
  readonly statementId: string
  readonly index: number
  readonly element: XmlElement
  readonly amount: BigDecimal.BigDecimal
  readonly currency: Currency
  readonly credit: boolean
}

/** One transaction of an entry (or the entry itself, `tx` undefined), as a line. */
const lineOf = (
  entry: Entry,
  tx: XmlElement | undefined,
  txIndex: number,
  amount: BigDecimal.BigDecimal,
  credit: boolean
): Read<ParsedLine> =>
  Either.gen(function* () {
    const ntry = entry.element
    const status = textAt(ntry, "Sts", "Cd") ?? textAt(ntry, "Sts")
    const reversal = ["true", "1"].includes(textAt(ntry, "RvslInd") ?? "false")
    const dates = at(ntry, "BookgDt") ?? at(ntry, "ValDt")
    const written = textAt(dates, "DtTm") ?? textAt(dates, "Dt")
    if (written === undefined) return yield* problem(`${entry.place}.BookgDt`, "the booking date (Dt or DtTm) is missing")
    const bookedAt = parseBookingTime(written)
    if (Option.isNone(bookedAt)) return yield* problem(`${entry.place}.BookgDt`, `${JSON.stringify(written)} is not an ISO 8601 date or date-time`)

    const refs = at(tx, "Refs")
    const endToEnd = textAt(refs, "EndToEndId")
    const givenEndToEnd = endToEnd !== undefined && endToEnd.toUpperCase() !== NOT_PROVIDED ? endToEnd : undefined
    const remittance = at(tx, "RmtInf")
    const present = (text: string | null): text is string => text !== null
    const structured = childrenNamed(remittance, "Strd")
      .flatMap((strd) => [textAt(strd, "CdtrRefInf", "Ref"), ...childrenNamed(strd, "RfrdDocInf").map((doc) => textAt(doc, "Nb"))])
      .map(kept)
      .filter(present)
    const free = childrenNamed(remittance, "Ustrd").map((u) => kept(u.text)).filter(present)
    const references = [
      ...structured.map((text) => ({ text, structured: true })),
      ...free.map((text) => ({ text, structured: false })),
      ...(free.length > 1 ? [{ text: free.join(" "), structured: false }] : []),
      ...(givenEndToEnd === undefined ? [] : [{ text: givenEndToEnd, structured: false }])
    ]
    const reference = structured[0] ?? (free.length > 0 ? kept(free.join(" ")) : null) ?? kept(givenEndToEnd)

    const parties = at(tx, "RltdPties")
    const counterparty = kept(
      credit
        ? partyName(parties, "Dbtr") ?? partyName(parties, "UltmtDbtr")
        : partyName(parties, "Cdtr") ?? partyName(parties, "UltmtCdtr") ?? partyName(parties, "Dbtr")
    )
    const txId = textAt(refs, "TxId")
    const instrId = textAt(refs, "InstrId")
    const entryRef = textAt(ntry, "AcctSvcrRef") ?? textAt(ntry, "NtryRef") ?? `${entry.statementId}#${entry.index}`
    const txRef = textAt(refs, "AcctSvcrRef") ?? txId ?? `#${txIndex}`
    const matchRefs = [
      ...(givenEndToEnd === undefined ? [] : [`e2e:${givenEndToEnd}`]),
      ...(txId === undefined ? [] : [`tx:${txId}`]),
      ...(instrId === undefined ? [] : [`instr:${instrId}`]),
      ...(reference === null || numberKey(reference) === "" ? [] : [`ref:${numberKey(reference)}`])
    ]
    return {
      entry_key: `camt:${entry.account}:${entryRef}:${txRef}`,
      booked_at: bookedAt.value,
      amount: money(credit ? amount : BigDecimal.negate(amount), entry.currency),
      is_return: reversal && !credit,
      booked: (status ?? "BOOK") === "BOOK",
      reference,
      references,
      counterparty,
      bank_reference: kept(textAt(refs, "AcctSvcrRef") ?? textAt(ntry, "AcctSvcrRef") ?? textAt(ntry, "NtryRef") ?? txId ?? givenEndToEnd),
      match_refs: matchRefs
    } satisfies ParsedLine
  })

/** The lines of one entry: one per transaction, or one for the entry. */
const entryLines = (entry: Entry): Read<ReadonlyArray<ParsedLine>> =>
  Either.gen(function* () {
    const transactions = childrenNamed(entry.element, "NtryDtls").flatMap((details) => childrenNamed(details, "TxDtls"))
    if (transactions.length === 0) return [yield* lineOf(entry, undefined, 1, entry.amount, entry.credit)]
    if (transactions.length === 1) return [yield* lineOf(entry, transactions[0], 1, entry.amount, entry.credit)]
    // A batch booking: each transaction has an amount of its own, and together they make the entry's.
    const lines: Array<ParsedLine> = []
    let sum = BigDecimal.fromBigInt(0n)
    for (const [i, tx] of transactions.entries()) {
      const place = `${entry.place}.TxDtls[${i + 1}]`
      const element = transactionAmount(tx)
      if (element === undefined) {
        return yield* problem(`${place}.Amt`, "a batch booking needs each transaction's amount (Amt, or AmtDtls/TxAmt/Amt)")
      }
      const { amount, currency } = yield* amountOf(element, `${place}.Amt`)
      if (currency !== entry.currency) {
        return yield* problem(`${place}.Amt`, `is in ${currency}, the entry in ${entry.currency}: a batch gives its transactions in the entry's currency`)
      }
      const txDirection = textAt(tx, "CdtDbtInd")
      const credit = txDirection === undefined ? entry.credit : (yield* direction(txDirection, `${place}.CdtDbtInd`)) === "CRDT"
      sum = credit === entry.credit ? BigDecimal.sum(sum, amount) : BigDecimal.subtract(sum, amount)
      lines.push(yield* lineOf(entry, tx, i + 1, amount, credit))
    }
    if (!BigDecimal.equals(sum, entry.amount)) {
      return yield* problem(
        `${entry.place}.Amt`,
        `its transactions add up to ${formatAmount(sum, entry.currency)} ${entry.currency}, not the entry's ` +
          `${formatAmount(entry.amount, entry.currency)}`
      )
    }
    return lines
  })

/** Reads a camt.053 document; the first problem found is a `ValidationError` naming its place. */
export const readCamt053 = (document: XmlElement): Read<ParsedStatement> =>
  Either.gen(function* () {
    if (document.name !== "Document") {
      return yield* problem("Document", `the root element is <${document.name}>: a camt.053 statement's is <Document>`)
    }
    if (document.namespace === null || !NAMESPACE.test(document.namespace)) {
      return yield* problem(
        "Document",
        `the namespace ${JSON.stringify(document.namespace ?? "")} is not a camt.053 statement's ` +
          "(urn:iso:std:iso:20022:tech:xsd:camt.053.001.02 to .08)"
      )
    }
    const report = at(document, "BkToCstmrStmt")
    if (report === undefined) return yield* problem("BkToCstmrStmt", "is missing: the document holds no bank-to-customer statement")
    const statements = childrenNamed(report, "Stmt")
    if (statements.length === 0) return yield* problem("BkToCstmrStmt.Stmt", "is missing: the document holds no statement")

    const lines: Array<ParsedLine> = []
    const keys: Array<string> = []
    const accounts: Array<string> = []
    for (const [s, stmt] of statements.entries()) {
      const place = `Stmt[${s + 1}]`
      const statementId = textAt(stmt, "Id")
      if (statementId === undefined) return yield* problem(`${place}.Id`, "the statement's identification is missing")
      const account = textAt(stmt, "Acct", "Id", "IBAN") ?? textAt(stmt, "Acct", "Id", "Othr", "Id")
      if (account === undefined) return yield* problem(`${place}.Acct.Id`, "the account's IBAN (or Othr/Id) is missing")
      keys.push(`${account}/${statementId}`)
      if (!accounts.includes(account)) accounts.push(account)
      for (const [n, element] of childrenNamed(stmt, "Ntry").entries()) {
        const entryPlace = `${place}.Ntry[${n + 1}]`
        const amountElement = at(element, "Amt")
        if (amountElement === undefined) return yield* problem(`${entryPlace}.Amt`, "the entry's amount is missing")
        const { amount, currency } = yield* amountOf(amountElement, `${entryPlace}.Amt`)
        const credit = (yield* direction(textAt(element, "CdtDbtInd"), `${entryPlace}.CdtDbtInd`)) === "CRDT"
        const entry: Entry = { place: entryPlace, account, statementId, index: n + 1, element, amount, currency, credit }
        lines.push(...(yield* entryLines(entry)))
      }
    }
    return {
      format: "camt053" as const,
      statement_key: `camt:${keys.sort().join(",")}`,
      account: accounts.join(", "),
      lines
    } satisfies ParsedStatement
  })
