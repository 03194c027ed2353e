import { amountText, creditNoteFigures, isoDate, plainDecimal } from "@provisio/core/documents/figures"
import type { CreditNoteDocument } from "@provisio/core/documents/model"
import { taxCategoryCode, UNIT_CODE } from "@provisio/core/documents/peppol"
import * as BigDecimal from "effect/BigDecimal"
import { builder, CUSTOMIZATION_ID, money, NAMESPACES, omitNull, party, paymentMeans, PROFILE_ID, taxCategory } from "./ubl.js"

/**
 * A credit note as a UBL 2.1 CreditNote (Peppol BIS Billing 3.0, type 381): a BillingReference to
 * the invoice it credits (none for balance credit), one line per rate it credits at, the tax it
 * reverses per category, and PayableAmount = its gross. Elements in the order the XSD requires.
 */
export const renderCreditNoteUbl = (document: CreditNoteDocument): string => {
  const { credit_note: note, invoice, issuer, customer } = document
  const currency = note.amount.currency
  const figures = creditNoteFigures(note)
  const exempt = customer.tax_exempt
  const codeOf = (rate: BigDecimal.BigDecimal, reason: string | null) => taxCategoryCode({ rate, exemption_reason: reason }, exempt)
  const breakdown = figures.tax.length > 0
    ? figures.tax.map((t) => ({ taxable: t.taxable_amount.amount, tax: t.tax_amount.amount, rate: t.rate, reason: t.exemption_reason }))
    : [{ taxable: BigDecimal.unsafeFromString(figures.line_extension), tax: BigDecimal.unsafeFromString(figures.tax_total), rate: BigDecimal.fromBigInt(0n), reason: null }]
  const amount = (n: BigDecimal.BigDecimal) => money(amountText(n, currency), currency)
  const tree = {
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    CreditNote: omitNull({
      "@_xmlns": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
      ...NAMESPACES,
      "cbc:CustomizationID": CUSTOMIZATION_ID,
      "cbc:ProfileID": PROFILE_ID,
      "cbc:ID": note.id,
      "cbc:IssueDate": isoDate(note.created_at),
      "cbc:CreditNoteTypeCode": "381",
      "cbc:Note": note.reason,
      "cbc:DocumentCurrencyCode": currency,
      "cbc:BuyerReference": customer.id,
      "cac:BillingReference": invoice === null ? null : {
        "cac:InvoiceDocumentReference": omitNull({ "cbc:ID": invoice.number ?? invoice.id, "cbc:IssueDate": isoDate(invoice.finalized_at) })
      },
      "cac:AccountingSupplierParty": { "cac:Party": party(issuer) },
      "cac:AccountingCustomerParty": { "cac:Party": party(customer) },
      "cac:PaymentMeans": paymentMeans(issuer, invoice?.payment_reference ?? null),
      "cac:TaxTotal": {
        "cbc:TaxAmount": money(figures.tax_total, currency),
        "cac:TaxSubtotal": breakdown.map((b) => ({
          "cbc:TaxableAmount": amount(b.taxable),
          "cbc:TaxAmount": amount(b.tax),
          "cac:TaxCategory": taxCategory(codeOf(b.rate, b.reason), b.rate, b.reason)
        }))
      },
      "cac:LegalMonetaryTotal": {
        "cbc:LineExtensionAmount": money(figures.line_extension, currency),
        "cbc:TaxExclusiveAmount": money(figures.line_extension, currency),
        "cbc:TaxInclusiveAmount": money(figures.tax_inclusive, currency),
        "cbc:PayableAmount": money(figures.payable, currency)
      },
      "cac:CreditNoteLine": figures.lines.map((line, index) => ({
        "cbc:ID": String(index + 1),
        "cbc:CreditedQuantity": { "@_unitCode": UNIT_CODE, "#text": "1" },
        "cbc:LineExtensionAmount": money(line.amount, currency),
        "cac:Item": {
          "cbc:Name": line.description.slice(0, 200) || "Credit",
          "cac:ClassifiedTaxCategory": {
            "cbc:ID": codeOf(line.rate, line.tax?.exemption_reason ?? null),
            "cbc:Percent": plainDecimal(line.rate),
            "cac:TaxScheme": { "cbc:ID": "VAT" }
          }
        },
        "cac:Price": { "cbc:PriceAmount": money(line.amount, currency) }
      }))
    })
  }
  return builder.build(tree) as string
}
