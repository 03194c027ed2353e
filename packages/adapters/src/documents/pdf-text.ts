import type { Address } from "@provisio/core/customers/model"
import { amountText, isoDate, plainDecimal } from "@provisio/core/documents/figures"
import type { DocumentLabels } from "@provisio/core/documents/labels"
import type { InvoiceDocument } from "@provisio/core/documents/model"
import type { InvoiceLine } from "@provisio/core/invoices/model"

/** What the PDF prints, as text: pure, so the layout (pdf.ts) only places it. */

export const addressLines = (address: Address | null, country: string | null): ReadonlyArray<string> => {
  const lines = [address?.line1, address?.line2, [address?.postal_code, address?.city].filter(Boolean).join(" "), address?.state]
    .filter((line): line is string => typeof line === "string" && line !== "")
  const code = address?.country ?? country
  return code === null ? lines : [...lines, code]
}

export interface TableRow {
  readonly description: string
  readonly quantity: string
  readonly unit_price: string
  readonly tax_rate: string
  readonly amount: string
  /** A detail under a line (a tier, the days of a proration): printed smaller, indented. */
  readonly detail: boolean
}

const period = (line: InvoiceLine, labels: DocumentLabels): string =>
  line.period_start === null || line.period_end === null
    ? ""
    : ` (${labels.dateRange(isoDate(line.period_start) ?? "", isoDate(line.period_end) ?? "")})`

/** A line and its details: the tiers of a graduated usage line, the days of a proration. */
export const lineRows = (line: InvoiceLine, currency: string, labels: DocumentLabels): ReadonlyArray<TableRow> => {
  const rows: Array<TableRow> = [{
    description: `${line.description}${period(line, labels)}`,
    quantity: line.quantity === null ? "" : plainDecimal(line.quantity),
    unit_price: line.unit_price === null ? "" : plainDecimal(line.unit_price),
    tax_rate: line.tax_rate === null ? "" : `${plainDecimal(line.tax_rate)} %`,
    amount: amountText(line.amount, currency),
    detail: false
  }]
  const details = line.details
  if (details.days !== undefined && details.period_days !== undefined) {
    rows.push({ description: labels.daysOf(details.days, details.period_days), quantity: "", unit_price: "", tax_rate: "", amount: "", detail: true })
  }
  if (details.installment !== undefined && details.installments !== undefined) {
    rows.push({ description: labels.installmentOf(details.installment, details.installments), quantity: "", unit_price: "", tax_rate: "", amount: "", detail: true })
  }
  for (const tier of details.tiers ?? []) {
    const flat = tier.flat_fee.value === 0n ? "" : ` + ${labels.flat} ${plainDecimal(tier.flat_fee)}`
    rows.push({
      description: `${tier.tier === null ? labels.units : labels.tier(tier.tier + 1)}: ${plainDecimal(tier.units)} ${labels.units}${flat}`,
      quantity: plainDecimal(tier.quantity),
      unit_price: plainDecimal(tier.unit_price),
      tax_rate: "",
      amount: plainDecimal(tier.amount),
      detail: true
    })
  }
  return rows
}

/** The payment block: instructions, the bank account and the structured reference to quote. */
export const paymentLines = (document: InvoiceDocument, labels: DocumentLabels): ReadonlyArray<string> => {
  const { invoice, issuer } = document
  return [
    issuer.payment_instructions,
    issuer.iban === null ? null : `IBAN: ${issuer.iban}`,
    issuer.bic === null ? null : `BIC: ${issuer.bic}`,
    issuer.iban === null ? null : `${labels.accountHolder}: ${issuer.name}`,
    invoice.payment_reference === null ? null : `${labels.reference}: ${invoice.payment_reference}`
  ].filter((line): line is string => line !== null)
}
