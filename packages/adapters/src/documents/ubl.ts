import type { Address } from "@provisio/core/customers/model"
import { amountText, documentFigures, isoDate, plainDecimal } from "@provisio/core/documents/figures"
import type { DocumentParty, InvoiceDocument } from "@provisio/core/documents/model"
import { endpointOf, exemptionReason, taxCategoryCode, UNIT_CODE, vatCountry } from "@provisio/core/documents/peppol"
import type { InvoiceLine } from "@provisio/core/invoices/model"
import * as BigDecimal from "effect/BigDecimal"
import { XMLBuilder } from "fast-xml-parser"

/**
 * A finalized invoice as a UBL 2.1 Invoice following Peppol BIS Billing 3.0 (the EN 16931 core).
 * Elements are written in the order the OASIS schema's sequences require (the tests validate every
 * document against the XSD). Amounts come from `documentFigures`: lines without credit lines, the
 * credit applied as PrepaidAmount, PayableAmount what was due at finalization.
 */

export const CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
export const PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

export type Node = Record<string, unknown>

export const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true, indentBy: "  ", suppressEmptyNode: true })

export const omitNull = (node: Record<string, unknown>): Node =>
  Object.fromEntries(Object.entries(node).filter(([, value]) => value !== null && value !== undefined))

const postalAddress = (address: Address | null, country: string | null): Node | null => {
  const code = address?.country ?? country
  if (address === null && code === null) return null
  return omitNull({
    "cbc:StreetName": address?.line1 ?? null,
    "cbc:AdditionalStreetName": address?.line2 ?? null,
    "cbc:CityName": address?.city ?? null,
    "cbc:PostalZone": address?.postal_code ?? null,
    "cbc:CountrySubentity": address?.state ?? null,
    "cac:Country": code === null ? null : { "cbc:IdentificationCode": code }
  })
}

export const party = (p: DocumentParty): Node => {
  const endpoint = endpointOf(p)
  const taxId = p.tax_id?.replace(/\s+/g, "") ?? null
  return omitNull({
    "cbc:EndpointID": endpoint === null ? null : { "@_schemeID": endpoint.scheme, "#text": endpoint.id },
    "cac:PartyName": { "cbc:Name": p.name },
    "cac:PostalAddress": postalAddress(p.address, p.country),
    // A VAT id (with its country prefix) is the VAT scheme's; other tax ids are left to PartyLegalEntity.
    "cac:PartyTaxScheme": taxId !== null && vatCountry(taxId) !== null
      ? { "cbc:CompanyID": taxId, "cac:TaxScheme": { "cbc:ID": "VAT" } }
      : null,
    "cac:PartyLegalEntity": omitNull({
      "cbc:RegistrationName": p.name,
      "cbc:CompanyID": taxId !== null && vatCountry(taxId) === null ? taxId : null
    }),
    "cac:Contact": p.email === null ? null : { "cbc:ElectronicMail": p.email }
  })
}

export const money = (amount: string, currency: string) => ({ "@_currencyID": currency, "#text": amount })

/** Quantity x price / base quantity = the line amount, exactly: the price is per BaseQuantity when the unit price does not multiply out (tiers, proration). */
const priceOf = (line: InvoiceLine, currency: string): { quantity: string; price: Node } => {
  const quantity = line.quantity ?? BigDecimal.fromBigInt(1n)
  const amount = line.amount
  if (line.unit_price !== null && BigDecimal.equals(BigDecimal.multiply(quantity, line.unit_price), amount)) {
    return { quantity: plainDecimal(quantity), price: { "cbc:PriceAmount": money(plainDecimal(line.unit_price), currency) } }
  }
  const base = BigDecimal.isZero(quantity) ? BigDecimal.fromBigInt(1n) : quantity
  return {
    quantity: plainDecimal(quantity),
    price: {
      "cbc:PriceAmount": money(amountText(BigDecimal.isZero(quantity) ? BigDecimal.fromBigInt(0n) : amount, currency), currency),
      "cbc:BaseQuantity": { "@_unitCode": UNIT_CODE, "#text": plainDecimal(base) }
    }
  }
}

/** A TaxSubtotal's category: its code, rate and, for a rate that charges nothing, the reason. */
export const taxCategory = (code: string, rate: BigDecimal.BigDecimal, reason: string | null) => omitNull({
  "cbc:ID": code,
  "cbc:Percent": plainDecimal(rate),
  "cbc:TaxExemptionReason": code === "S" ? null : exemptionReason(code as "Z" | "E" | "AE", reason),
  "cac:TaxScheme": { "cbc:ID": "VAT" }
})

/** The seller's bank account, for a credit transfer quoting `reference`. */
export const paymentMeans = (issuer: InvoiceDocument["issuer"], reference: string | null) =>
  issuer.iban === null ? null : omitNull({
    "cbc:PaymentMeansCode": "58",
    "cbc:PaymentID": reference,
    "cac:PayeeFinancialAccount": omitNull({
      "cbc:ID": issuer.iban.replace(/\s+/g, ""),
      "cbc:Name": issuer.name,
      "cac:FinancialInstitutionBranch": issuer.bic === null ? null : { "cbc:ID": issuer.bic }
    })
  })

export const NAMESPACES = {
  "@_xmlns:cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
  "@_xmlns:cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
}

export const renderUbl = (document: InvoiceDocument): string => {
  const { invoice, issuer, customer } = document
  const currency = invoice.currency
  const figures = documentFigures(invoice)
  const exempt = customer.tax_exempt
  const breakdown = figures.tax.length > 0
    ? figures.tax.map((t) => ({
      taxable: amountText(t.taxable_amount.amount, currency),
      tax: amountText(t.tax_amount.amount, currency),
      rate: t.rate,
      code: taxCategoryCode(t, exempt),
      reason: t.exemption_reason
    }))
    // No tax computed: one zero-rated category over every line (EN 16931 wants a breakdown).
    : [{ taxable: figures.line_extension, tax: figures.tax_total, rate: BigDecimal.fromBigInt(0n), code: taxCategoryCode({ rate: BigDecimal.fromBigInt(0n), exemption_reason: null }, exempt), reason: null }]
  const categoryOf = (line: InvoiceLine) => {
    const rate = line.tax_rate ?? BigDecimal.fromBigInt(0n)
    const match = figures.tax.find((t) => t.category === line.tax_category && BigDecimal.equals(t.rate, rate))
    return { code: taxCategoryCode({ rate, exemption_reason: match?.exemption_reason ?? null }, exempt), rate }
  }
  const tree = {
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    Invoice: omitNull({
      "@_xmlns": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
      ...NAMESPACES,
      "cbc:CustomizationID": CUSTOMIZATION_ID,
      "cbc:ProfileID": PROFILE_ID,
      "cbc:ID": invoice.number ?? invoice.id,
      "cbc:IssueDate": isoDate(invoice.finalized_at),
      "cbc:DueDate": invoice.due_date,
      "cbc:InvoiceTypeCode": "380",
      "cbc:DocumentCurrencyCode": currency,
      "cbc:BuyerReference": customer.id,
      "cac:InvoicePeriod": omitNull({ "cbc:Description": invoice.period }),
      "cac:AccountingSupplierParty": { "cac:Party": party(issuer) },
      "cac:AccountingCustomerParty": { "cac:Party": party(customer) },
      "cac:PaymentMeans": paymentMeans(issuer, invoice.payment_reference),
      "cac:PaymentTerms": issuer.payment_instructions === null ? null : { "cbc:Note": issuer.payment_instructions },
      "cac:TaxTotal": {
        "cbc:TaxAmount": money(figures.tax_total, currency),
        "cac:TaxSubtotal": breakdown.map((b) => ({
          "cbc:TaxableAmount": money(b.taxable, currency),
          "cbc:TaxAmount": money(b.tax, currency),
          "cac:TaxCategory": taxCategory(b.code, b.rate, b.reason)
        }))
      },
      "cac:LegalMonetaryTotal": {
        "cbc:LineExtensionAmount": money(figures.line_extension, currency),
        "cbc:TaxExclusiveAmount": money(figures.tax_exclusive, currency),
        "cbc:TaxInclusiveAmount": money(figures.tax_inclusive, currency),
        "cbc:PrepaidAmount": money(figures.prepaid, currency),
        "cbc:PayableAmount": money(figures.payable, currency)
      },
      "cac:InvoiceLine": figures.lines.map((line, index) => {
        const { price, quantity } = priceOf(line, currency)
        const category = categoryOf(line)
        return omitNull({
          "cbc:ID": String(index + 1),
          "cbc:InvoicedQuantity": { "@_unitCode": UNIT_CODE, "#text": quantity },
          "cbc:LineExtensionAmount": money(amountText(line.amount, currency), currency),
          "cac:InvoicePeriod": line.period_start === null || line.period_end === null ? null : {
            "cbc:StartDate": isoDate(line.period_start),
            "cbc:EndDate": isoDate(line.period_end)
          },
          "cac:Item": omitNull({
            "cbc:Name": line.description.slice(0, 200) || line.kind,
            "cac:SellersItemIdentification": line.plan_id ?? line.sku_id ?? null
              ? { "cbc:ID": line.sku_id ?? line.plan_id } : null,
            "cac:ClassifiedTaxCategory": omitNull({
              "cbc:ID": category.code,
              "cbc:Percent": plainDecimal(category.rate),
              "cac:TaxScheme": { "cbc:ID": "VAT" }
            })
          }),
          "cac:Price": price
        })
      })
    })
  }
  return builder.build(tree) as string
}
