import * as BigDecimal from "effect/BigDecimal"
import * as Either from "effect/Either"
import type { Invoice } from "../invoices/model.js"
import { ValidationError } from "../shared/errors.js"
import { amountToMoveProblem, formatAmount } from "../shared/money.js"
import { breakdown, proportionalCredit, roundHalfUp, type TaxGroup } from "../tax/rules.js"
import type { CreateInvoiceCreditNote } from "./model.js"

/** What a credit note of an invoice reverses: its net, its tax per group, its gross. */
export interface CreditPlan {
  readonly subtotal: BigDecimal.BigDecimal
  readonly tax: ReadonlyArray<TaxGroup>
  readonly tax_total: BigDecimal.BigDecimal
  readonly total: BigDecimal.BigDecimal
}

const fail = (field: string, message: string) => Either.left(ValidationError.of(field, message))

/**
 * The credit of `input` against `invoice`, of which `credited` (gross) was credited before. A
 * gross `amount` is split over the invoice's tax groups in proportion; `lines` credit each
 * line's net (an amount, or a quantity's share of the line's amount) and their tax is computed
 * on the sum per rate as the invoice's was. The gross may not exceed what is left to credit.
 */
export const planCredit = (
  invoice: Invoice,
  input: CreateInvoiceCreditNote,
  credited: BigDecimal.BigDecimal
): Either.Either<CreditPlan, ValidationError> => {
  const currency = invoice.currency
  const gross = BigDecimal.sum(invoice.subtotal.amount, invoice.tax_total.amount)
  const left = BigDecimal.subtract(gross, credited)
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
    plan = { subtotal: split.subtotal, tax: split.groups, tax_total: split.tax_total, total: amount }
  } else {
    const lines = input.lines!
    if (lines.length === 0) return fail("lines", "must name at least one line")
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
      }
      const group = invoice.tax.find((t) => t.category === line.tax_category && line.tax_rate !== null && BigDecimal.equals(t.rate, line.tax_rate))
      credited.push({ amount: net, tax_rate: line.tax_rate, tax_category: line.tax_category, exemption_reason: group?.exemption_reason ?? null })
    }
    const groups = breakdown(credited, currency)
    const subtotal = roundHalfUp(BigDecimal.sumAll(credited.map((c) => c.amount)), currency)
    const taxTotal = roundHalfUp(BigDecimal.sumAll(groups.map((g) => g.tax_amount)), currency)
    plan = { subtotal, tax: groups, tax_total: taxTotal, total: BigDecimal.sum(subtotal, taxTotal) }
  }
  if (BigDecimal.greaterThan(plan.total, left)) {
    return fail(input.amount === undefined ? "lines" : "amount.amount",
      `the invoice has ${formatAmount(left, currency)} ${currency} left to credit (gross); this credits ${formatAmount(plan.total, currency)}`)
  }
  return Either.right(plan)
}
