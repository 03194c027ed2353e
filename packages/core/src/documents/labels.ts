import { bestLanguage } from "../shared/languages.js"

/** The words a printed document uses, in one language (the customer's `language`). */
export interface DocumentLabels {
  readonly invoice: string
  readonly creditNote: string
  readonly issueDate: string
  readonly dueDate: string
  readonly period: string
  readonly currency: string
  readonly paymentReference: string
  readonly creditedInvoice: string
  readonly creditsInvoice: (number: string, date: string) => string
  readonly reason: string
  readonly from: string
  readonly billTo: string
  readonly vatId: string
  readonly taxId: string
  readonly description: string
  readonly quantity: string
  readonly unitPrice: string
  readonly tax: string
  readonly amount: string
  readonly dateRange: (from: string, to: string) => string
  readonly daysOf: (days: number, periodDays: number) => string
  readonly installmentOf: (n: number, of: number) => string
  readonly tier: (n: number) => string
  readonly units: string
  readonly flat: string
  readonly category: string
  readonly rate: string
  readonly taxableAmount: string
  readonly noTax: string
  readonly subtotal: string
  readonly total: string
  readonly paidCredit: string
  readonly amountDue: string
  readonly totalCredited: string
  readonly payment: string
  readonly accountHolder: string
  readonly reference: string
  readonly page: (n: number, of: number) => string
}

const en: DocumentLabels = {
  invoice: "Invoice",
  creditNote: "Credit note",
  issueDate: "Issue date",
  dueDate: "Due date",
  period: "Period",
  currency: "Currency",
  paymentReference: "Payment reference",
  creditedInvoice: "Credits invoice",
  creditsInvoice: (number, date) => `${number} of ${date}`,
  reason: "Reason",
  from: "From",
  billTo: "Bill to",
  vatId: "VAT ID",
  taxId: "Tax ID",
  description: "Description",
  quantity: "Quantity",
  unitPrice: "Unit price",
  tax: "Tax",
  amount: "Amount",
  dateRange: (from, to) => `${from} to ${to}`,
  daysOf: (days, periodDays) => `${days} of ${periodDays} days`,
  installmentOf: (n, of) => `installment ${n} of ${of}`,
  tier: (n) => `tier ${n}`,
  units: "units",
  flat: "flat",
  category: "Category",
  rate: "Rate",
  taxableAmount: "Taxable amount",
  noTax: "No tax charged",
  subtotal: "Subtotal",
  total: "Total",
  paidCredit: "Paid (credit applied)",
  amountDue: "Amount due",
  totalCredited: "Total credited",
  payment: "Payment",
  accountHolder: "Account holder",
  reference: "Reference",
  page: (n, of) => `Page ${n} of ${of}`
}

const de: DocumentLabels = {
  invoice: "Rechnung",
  creditNote: "Gutschrift",
  issueDate: "Rechnungsdatum",
  dueDate: "Fällig am",
  period: "Leistungszeitraum",
  currency: "Währung",
  paymentReference: "Zahlungsreferenz",
  creditedInvoice: "Zu Rechnung",
  creditsInvoice: (number, date) => `${number} vom ${date}`,
  reason: "Grund",
  from: "Von",
  billTo: "Rechnung an",
  vatId: "USt-IdNr.",
  taxId: "Steuer-ID",
  description: "Beschreibung",
  quantity: "Menge",
  unitPrice: "Einzelpreis",
  tax: "USt.",
  amount: "Betrag",
  dateRange: (from, to) => `${from} bis ${to}`,
  daysOf: (days, periodDays) => `${days} von ${periodDays} Tagen`,
  installmentOf: (n, of) => `Rate ${n} von ${of}`,
  tier: (n) => `Stufe ${n}`,
  units: "Einheiten",
  flat: "pauschal",
  category: "Kategorie",
  rate: "Satz",
  taxableAmount: "Nettobetrag",
  noTax: "Keine Umsatzsteuer berechnet",
  subtotal: "Summe netto",
  total: "Gesamtbetrag",
  paidCredit: "Bezahlt (Guthaben verrechnet)",
  amountDue: "Zu zahlen",
  totalCredited: "Gutgeschrieben gesamt",
  payment: "Zahlung",
  accountHolder: "Kontoinhaber",
  reference: "Verwendungszweck",
  page: (n, of) => `Seite ${n} von ${of}`
}

const LABELS: Readonly<Record<string, DocumentLabels>> = { en, de }

/** The labels for a customer's language tag (`de-AT` -> German), English where there are none. */
export const documentLabels = (language: string): DocumentLabels =>
  LABELS[bestLanguage(language, (tag) => LABELS[tag] !== undefined)]!
