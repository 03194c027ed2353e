import * as BigDecimal from "effect/BigDecimal"
import { formatAmount } from "../shared/money.js"
import type { ParsedLine } from "./model.js"
import type { InvoiceCandidate, ReturnableCredit } from "./ports.js"
import { referenceKeys } from "./references.js"

/**
 * What each line of a statement does, decided from what the statement says and what the database
 * holds, before anything is written (a pure function, so the rules are tested on their own):
 *
 * - a transaction booked before (by the importer, an account above or below it, or an earlier line
 *   of this statement) is `ignored`, naming the line that booked it;
 * - an entry not booked (`PDNG`, `INFO`) is `ignored`;
 * - a credit pays the invoice its reference names: the structured references are tried first,
 *   then the free texts, and the first that names invoices decides. Of those, the ones in the
 *   credit's currency that still owe money (after the lines before it in this statement) are
 *   payable; with several, the one owing exactly the amount wins. Nothing payable: `unmatched`,
 *   saying why;
 * - a return (a debit with `RvslInd`) reverses the payment of the credit it gives back: same
 *   currency and amount, and a shared reference (end-to-end id, transaction id, instruction id;
 *   else the remittance reference), booked before or earlier in this statement, not reversed yet.
 *   None or several: `unmatched`;
 * - any other debit is `ignored`.
 */

export type Decision =
  | { readonly kind: "pay"; readonly invoice: InvoiceCandidate }
  | {
    readonly kind: "reverse"
    /** The credit booked before (its line id), or the credit at `position` in this statement. */
    readonly credit: { readonly line_id: string; readonly payment_id: string; readonly invoice_id: string } | { readonly position: number }
  }
  | { readonly kind: "unmatched"; readonly note: string }
  | { readonly kind: "ignored"; readonly note: string; readonly duplicate_of: string | null }

export interface PlanInput {
  readonly lines: ReadonlyArray<ParsedLine>
  /** The ids the lines will have, in the same order. */
  readonly ids: ReadonlyArray<string>
  /** For a key booked before (by the importer or an account above or below it), the line that booked it. */
  readonly owners: ReadonlyMap<string, string>
  /** The invoices of the importer's scope the references name. */
  readonly invoices: ReadonlyArray<InvoiceCandidate>
  /** Earlier credits a return of this statement may give back. */
  readonly returnable: ReadonlyArray<ReturnableCredit>
}

const describe = (invoice: InvoiceCandidate) => invoice.number

const unmatched = (note: string): Decision => ({ kind: "unmatched", note })

/** Why an invoice named by a reference takes no payment. */
const notPayable = (invoice: InvoiceCandidate, due: BigDecimal.BigDecimal) => {
  if (invoice.status === "draft") return `invoice ${describe(invoice)} is a draft`
  if (invoice.status === "void") return `invoice ${describe(invoice)} is void`
  if (!BigDecimal.isPositive(due)) return `invoice ${describe(invoice)} is already paid`
  return `invoice ${describe(invoice)} cannot be paid`
}

export const planStatement = (input: PlanInput): ReadonlyArray<Decision> => {
  const byKey = new Map<string, Array<InvoiceCandidate>>()
  for (const invoice of input.invoices) byKey.set(invoice.key, [...(byKey.get(invoice.key) ?? []), invoice])
  // What each invoice still owes as the lines before pay it.
  const due = new Map(input.invoices.map((invoice) => [invoice.id, invoice.status === "finalized" ? invoice.amount_due.amount : BigDecimal.fromBigInt(0n)]))
  const firstOfKey = new Map<string, string>()
  const reversed = new Set<string>()
  const decisions: Array<Decision> = []

  /** The invoices the first reference that names any names, with the reference. */
  const named = (line: ParsedLine) => {
    for (const reference of line.references) {
      const found = new Map<string, InvoiceCandidate>()
      for (const key of referenceKeys(reference.text)) for (const invoice of byKey.get(key) ?? []) found.set(invoice.id, invoice)
      if (found.size > 0) return [...found.values()]
    }
    return []
  }

  const payment = (line: ParsedLine): Decision => {
    if (line.references.length === 0) return unmatched("the transfer has no reference")
    const invoices = named(line)
    if (invoices.length === 0) return unmatched(`no invoice of yours is named by the reference ${JSON.stringify(line.reference ?? "")}`)
    const inCurrency = invoices.filter((invoice) => invoice.amount_due.currency === line.amount.currency)
    if (inCurrency.length === 0) {
      return unmatched(`invoice ${describe(invoices[0]!)} is in ${invoices[0]!.amount_due.currency}, the transfer in ${line.amount.currency}`)
    }
    const payable = inCurrency.filter((invoice) => BigDecimal.isPositive(due.get(invoice.id)!))
    if (payable.length === 0) return unmatched(notPayable(inCurrency[0]!, due.get(inCurrency[0]!.id)!))
    const exact = payable.filter((invoice) => BigDecimal.equals(due.get(invoice.id)!, line.amount.amount))
    const chosen = payable.length === 1 ? payable[0] : exact.length === 1 ? exact[0] : undefined
    if (chosen === undefined) {
      return unmatched(`the reference names several invoices (${payable.map(describe).join(", ")}): assign it to one`)
    }
    due.set(chosen.id, BigDecimal.max(BigDecimal.subtract(due.get(chosen.id)!, line.amount.amount), BigDecimal.fromBigInt(0n)))
    return { kind: "pay", invoice: chosen }
  }

  const reversal = (line: ParsedLine, position: number): Decision => {
    const amount = BigDecimal.negate(line.amount.amount)
    const sameMoney = (money: { readonly amount: BigDecimal.BigDecimal; readonly currency: string }) =>
      money.currency === line.amount.currency && BigDecimal.equals(money.amount, amount)
    type Candidate = { readonly id: string; readonly refs: ReadonlyArray<string>; readonly credit: Extract<Decision, { kind: "reverse" }>["credit"] }
    const candidates: Array<Candidate> = [
      ...input.returnable
        .filter((credit) => sameMoney(credit.amount))
        .map((credit) => ({ id: credit.line_id, refs: credit.match_refs, credit })),
      ...input.lines.slice(0, position).flatMap((earlier, i): Array<Candidate> =>
        decisions[i]?.kind === "pay" && sameMoney(earlier.amount)
          ? [{ id: input.ids[i]!, refs: earlier.match_refs, credit: { position: i } }]
          : []
      )
    ].filter((candidate) => !reversed.has(candidate.id))
    const sharing = (strong: boolean) => {
      const refs = line.match_refs.filter((ref) => ref.startsWith("ref:") !== strong)
      return candidates.filter((candidate) => candidate.refs.some((ref) => refs.includes(ref)))
    }
    const byIds = sharing(true)
    const found = byIds.length > 0 ? byIds : sharing(false)
    const money = `${formatAmount(amount, line.amount.currency)} ${line.amount.currency}`
    if (found.length === 0) return unmatched(`a return of ${money} that gives back no credit booked here`)
    if (found.length > 1) return unmatched(`a return of ${money} that could give back any of several credits`)
    reversed.add(found[0]!.id)
    return { kind: "reverse", credit: found[0]!.credit }
  }

  for (const [i, line] of input.lines.entries()) {
    const id = input.ids[i]!
    const first = firstOfKey.get(line.entry_key)
    const original = first ?? input.owners.get(line.entry_key)
    if (original !== undefined) {
      decisions.push({ kind: "ignored", note: `imported before, as line ${original}`, duplicate_of: original })
      continue
    }
    if (!line.booked) {
      decisions.push({ kind: "ignored", note: "not booked yet: the bank reports it as pending", duplicate_of: null })
      continue
    }
    firstOfKey.set(line.entry_key, id)
    if (BigDecimal.isPositive(line.amount.amount)) decisions.push(payment(line))
    else if (line.is_return) decisions.push(reversal(line, i))
    else decisions.push({ kind: "ignored", note: "a debit: money paid out", duplicate_of: null })
  }
  return decisions
}
