import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"
import { type Invoice, invoiceGross } from "../invoices/model.js"
import { ValidationError } from "../shared/errors.js"
import { amountToMoveProblem, formatAmount, formatDecimal, minorUnits } from "../shared/money.js"
import { breakdown, proportionalCredit, roundHalfUp, type TaxGroup } from "../tax/rules.js"
import type { CreateInvoiceCreditNote } from "./model.js"

/** What a credit note of an invoice reverses: its net, its tax per group, its gross. */
export interface CreditPlan {
  readonly subtotal: BigDecimal.BigDecimal
  readonly tax: ReadonlyArray<TaxGroup>
  readonly tax_total: BigDecimal.BigDecimal
  readonly total: BigDecimal.BigDecimal
  /** What it credits of each line it names (none for a gross amount): kept, so later notes see it. */
  readonly lines: ReadonlyArray<CreditedLine>
}

/** What a note credited of one line: its place (from 1), net, and quantity when credited by quantity. */
export interface CreditedLine {
  readonly line: number
  readonly amount: BigDecimal.BigDecimal
  readonly quantity: BigDecimal.BigDecimal | null
}

/** What earlier `invoice` and `refund` notes credited of an invoice. */
export interface EarlierCredits {
  /** Gross of them all. */
  readonly gross: BigDecimal.BigDecimal
  /** Net of the notes that named no lines (a gross amount, a refund): spread over the lines in proportion to their net. */
  readonly spread: BigDecimal.BigDecimal
  /** Net and quantity of the notes that named lines, summed per line. */
  readonly lines: ReadonlyArray<CreditedLine>
}

const fail = (field: string, message: string) => Either.left(ValidationError.of(field, message))

/**
 * The credit of `input` against `invoice`, given what `prior` notes credited of it. A gross
 * `amount` is split over the invoice's tax groups in proportion, each group's share into taxable +
 * tax that add up to it (proportionalCredit), so subtotal + tax_total = the gross; `lines` credit
 * each line's net (an amount, or a quantity's share of the line's amount, at least one minor
 * unit) and their tax is computed on the sum per rate as the invoice's was. The gross may not
 * exceed what is left to credit, nor a line's net (or quantity) what is left of that line: its
 * net less what notes naming it credited and its share of the notes that named no lines (so a
 * line is never credited twice over).
 */
export const planCredit = (
  invoice: Invoice,
  input: CreateInvoiceCreditNote,
  prior: EarlierCredits
): Either.Either<CreditPlan, ValidationError> => {
  const currency = invoice.currency
  const gross = invoiceGross(invoice)
  const left = BigDecimal.subtract(gross, prior.gross)
  const zero = BigDecimal.fromBigInt(0n)
  const exact = (n: BigDecimal.BigDecimal) => BigDecimal.equals(roundHalfUp(n, currency), n)
  let plan: CreditPlan
  if ((input.amount === undefined) === (input.lines === undefined)) {
    return fail("amount", input.amount === undefined
      ? "send amount (gross money) or lines: one of them is needed"
      : "send either amount (gross) or lines, not both")
  }
  if (input.amount !== undefined) {
    const amount = input.amount.amount
    if (input.amount.currency !== currency) return fail("amount.currency", `must be the invoice's currency, ${currency}`)
    const problem = amountToMoveProblem(amount, currency)
    if (problem !== undefined) return fail("amount.amount", problem)
    const split = proportionalCredit(amount, gross, invoice.tax.map((t) => ({
      category: t.category,
      rate: t.rate,
      taxable_amount: t.taxable_amount.amount,
      tax_amount: t.tax_amount.amount,
      exemption_reason: t.exemption_reason
    })), currency)
    plan = { subtotal: split.subtotal, tax: split.groups, tax_total: split.tax_total, total: amount, lines: [] }
  } else {
    const lines = input.lines!
    if (lines.length === 0) return fail("lines", "must name at least one line")
    const named: Array<CreditedLine> = []
    const credited: Array<{ amount: BigDecimal.BigDecimal; tax_rate: BigDecimal.BigDecimal | null; tax_category: Invoice["lines"][number]["tax_category"]; exemption_reason: string | null }> = []
    for (const [i, entry] of lines.entries()) {
      const at = `lines[${i}]`
      const place = /^[1-9]\d*$/.test(entry.line_id) ? Number(entry.line_id) : NaN
      const line = invoice.lines[place - 1]
      if (line === undefined || line.kind === "credit") {
        return fail(`${at}.line_id`, `must be the place (from "1") of one of the invoice's ${invoice.lines.length} lines, not a credit line`)
      }
      // Each entry is checked against its line alone: the same line twice credited it twice over.
      const earlier = lines.findIndex((other) => other.line_id === entry.line_id)
      if (earlier < i) return fail(`${at}.line_id`, `names line ${entry.line_id} again (lines[${earlier}]): one entry per line`)
      if ((entry.amount === undefined) === (entry.quantity === undefined)) return fail(at, "send either amount or quantity")
      let net: BigDecimal.BigDecimal
      if (entry.amount !== undefined) {
        if (!BigDecimal.isBigDecimal(entry.amount)) {
          if (entry.amount.currency !== currency) return fail(`${at}.amount.currency`, `must be the invoice's currency, ${currency}`)
          net = entry.amount.amount
        } else {
          net = entry.amount
        }
        if (!BigDecimal.isPositive(net) || BigDecimal.greaterThan(net, line.amount) || !exact(net)) {
          return fail(`${at}.amount`, `must be more than zero and at most the line's ${formatAmount(line.amount, currency)}, in ${currency}'s digits`)
        }
      } else {
        const quantity = entry.quantity!
        if (line.quantity === null || !BigDecimal.isPositive(line.quantity) || !BigDecimal.isPositive(quantity) ||
          BigDecimal.greaterThan(quantity, line.quantity)) {
          return fail(`${at}.quantity`, "must be more than zero and at most the line's quantity")
        }
        net = roundHalfUp(BigDecimal.unsafeDivide(BigDecimal.multiply(line.amount, quantity), line.quantity), currency)
        // Rounded to nothing (a tiny quantity, a line of 0.00): a note credits at least one minor unit.
        if (!BigDecimal.isPositive(net)) {
          const unit = formatAmount(BigDecimal.make(1n, minorUnits(currency)), currency)
          return fail(`${at}.quantity`, `${formatDecimal(BigDecimal.normalize(quantity))} of line ${place}'s quantity ` +
            `${formatDecimal(BigDecimal.normalize(line.quantity))} (${formatAmount(line.amount, currency)} ${currency}) would credit ` +
            `less than ${currency}'s smallest unit, ${unit}: credit a larger quantity, or an amount`)
        }
      }
      const before = prior.lines.find((c) => c.line === place)
      if (entry.quantity !== undefined && line.quantity !== null && before !== undefined && before.quantity !== null) {
        const quantityLeft = BigDecimal.max(BigDecimal.subtract(line.quantity, before.quantity), zero)
        if (BigDecimal.greaterThan(entry.quantity, quantityLeft)) {
          return fail(`${at}.quantity`, `line ${place} has ${formatDecimal(BigDecimal.normalize(quantityLeft))} of its quantity ` +
            `${formatDecimal(BigDecimal.normalize(line.quantity))} left to credit after earlier credit notes`)
        }
      }
      const netLeft = lineLeft(invoice, line.amount, before?.amount ?? zero, prior.spread)
      if (BigDecimal.greaterThan(net, netLeft)) {
        return fail(`${at}.${entry.amount !== undefined ? "amount" : "quantity"}`,
          `line ${place} has ${formatAmount(netLeft, currency)} ${currency} of its ${formatAmount(line.amount, currency)} left to credit ` +
            `(net) after earlier credit notes; this credits ${formatAmount(net, currency)}`)
      }
      named.push({ line: place, amount: net, quantity: entry.quantity ?? null })
      const group = invoice.tax.find((t) => t.category === line.tax_category && line.tax_rate !== null && BigDecimal.equals(t.rate, line.tax_rate))
      credited.push({ amount: net, tax_rate: line.tax_rate, tax_category: line.tax_category, exemption_reason: group?.exemption_reason ?? null })
    }
    const groups = breakdown(credited, currency)
    const subtotal = roundHalfUp(BigDecimal.sumAll(credited.map((c) => c.amount)), currency)
    const taxTotal = roundHalfUp(BigDecimal.sumAll(groups.map((g) => g.tax_amount)), currency)
    plan = { subtotal, tax: groups, tax_total: taxTotal, total: BigDecimal.sum(subtotal, taxTotal), lines: named }
  }
  if (BigDecimal.greaterThan(plan.total, left)) {
    return fail(input.amount === undefined ? "lines" : "amount.amount",
      `the invoice has ${formatAmount(left, currency)} ${currency} left to credit (gross); this credits ${formatAmount(plan.total, currency)}`)
  }
  return Either.right(plan)
}

/**
 * What is left of a line's net: less what notes naming it credited, and less its share (its net
 * over the invoice's) of the notes that named no lines, rounded half-up to the currency's digits.
 */
const lineLeft = (
  invoice: Invoice,
  amount: BigDecimal.BigDecimal,
  named: BigDecimal.BigDecimal,
  spread: BigDecimal.BigDecimal
): BigDecimal.BigDecimal => {
  const subtotal = invoice.subtotal.amount
  const share = BigDecimal.isZero(subtotal) ? BigDecimal.fromBigInt(0n) : BigDecimal.unsafeDivide(BigDecimal.multiply(amount, spread), subtotal)
  return BigDecimal.max(roundHalfUp(BigDecimal.subtract(BigDecimal.subtract(amount, named), share), invoice.currency), BigDecimal.fromBigInt(0n))
}
