import * as BigDecimal from "effect/BigDecimal"
import type { AnyInvoice, InvoiceLine, InvoiceTax } from "../invoices/model.js"
import type { CreditNote } from "../payments/model.js"
import { formatAmount, formatDecimal, type Currency } from "../shared/money.js"

/**
 * The figures both documents print, worked out once (EN 16931's names). Credit lines are not
 * goods or services: they are customer credit applied at finalization, so they are left out of
 * the lines and shown as prepaid. A document never changes, so what is due is what was due at
 * finalization (`payable`), whatever was paid since.
 *
 *   line_extension = sum of the other lines (= tax_exclusive: no document-level allowances)
 *   tax_inclusive  = tax_exclusive + tax_total
 *   prepaid        = credit applied (the credit lines, as a positive amount)
 *   payable        = tax_inclusive - prepaid
 */
export interface DocumentFigures {
  readonly lines: ReadonlyArray<InvoiceLine>
  readonly line_extension: string
  readonly tax_exclusive: string
  readonly tax_total: string
  readonly tax_inclusive: string
  readonly prepaid: string
  readonly payable: string
  readonly tax: ReadonlyArray<InvoiceTax>
}

const ZERO = BigDecimal.fromBigInt(0n)
const sum = (values: Iterable<BigDecimal.BigDecimal>) => {
  let total = ZERO
  for (const value of values) total = BigDecimal.sum(total, value)
  return total
}

export const documentFigures = (invoice: AnyInvoice): DocumentFigures => {
  const currency = invoice.currency as Currency
  const format = (n: BigDecimal.BigDecimal) => formatAmount(n, currency)
  const lines = invoice.lines.filter((line) => line.kind !== "credit")
  const lineExtension = sum(lines.map((line) => line.amount))
  const tax = invoice.tax_total.amount
  const inclusive = BigDecimal.sum(lineExtension, tax)
  const prepaid = BigDecimal.negate(sum(invoice.lines.filter((line) => line.kind === "credit").map((line) => line.amount)))
  return {
    lines,
    line_extension: format(lineExtension),
    tax_exclusive: format(lineExtension),
    tax_total: format(tax),
    tax_inclusive: format(inclusive),
    prepaid: format(prepaid),
    payable: format(BigDecimal.subtract(inclusive, prepaid)),
    tax: invoice.tax
  }
}

/**
 * A decimal as the documents write it: plain, no exponent, no trailing zeros past the point.
 * (`BigDecimal.format` switches to an exponent from 16 digits: `1e+16` in a UBL quantity fails
 * the schema, `1.2345678901234567891e-1` in a PDF misleads.)
 */
export const plainDecimal = (n: BigDecimal.BigDecimal): string => formatDecimal(BigDecimal.normalize(n))

/** An amount in the currency's minor unit (`"12.30"`). */
export const amountText = (n: BigDecimal.BigDecimal, currency: string): string => formatAmount(n, currency as Currency)

/** A date (`YYYY-MM-DD`, UTC) of a timestamp. */
export const isoDate = (at: { readonly epochMillis: number } | null): string | null =>
  at === null ? null : new Date(at.epochMillis).toISOString().slice(0, 10)

/** One line of a credit note's document: what it credits at one rate. */
export interface CreditNoteLine {
  readonly description: string
  readonly amount: string
  readonly rate: BigDecimal.BigDecimal
  readonly tax: InvoiceTax | null
}

/**
 * A credit note's figures: one line per rate of its breakdown (the net credited at that rate),
 * or a single line of its net when it reverses no tax (balance credit). Nothing is prepaid: the
 * whole gross is credited.
 */
export const creditNoteFigures = (note: CreditNote) => {
  const currency = note.amount.currency as Currency
  const format = (n: BigDecimal.BigDecimal) => formatAmount(n, currency)
  const net = note.subtotal?.amount ?? note.amount.amount
  const lines: ReadonlyArray<CreditNoteLine> = note.tax.length > 0
    ? note.tax.map((t) => ({ description: `${note.reason} (${plainDecimal(t.rate)} %)`, amount: format(t.taxable_amount.amount), rate: t.rate, tax: t }))
    : [{ description: note.reason, amount: format(net), rate: ZERO, tax: null }]
  const lineExtension = sum(lines.map((line) => BigDecimal.unsafeFromString(line.amount)))
  const tax = note.tax_total?.amount ?? ZERO
  const inclusive = BigDecimal.sum(lineExtension, tax)
  return {
    lines,
    line_extension: format(lineExtension),
    tax_total: format(tax),
    tax_inclusive: format(inclusive),
    payable: format(inclusive),
    tax: note.tax
  }
}
