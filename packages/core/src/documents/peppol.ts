import * as BigDecimal from "effect/BigDecimal"
import type { InvoiceTax } from "../invoices/model.js"

/**
 * Peppol's codes for a party and a tax category (pure, so the UBL adapter and the tests agree).
 *
 * Endpoint ids (BT-34, BT-49) use the Electronic Address Scheme (EAS) of the party's VAT id
 * country (`9930` for a German VAT id: the id itself is the address); a party without a VAT id of a
 * listed country falls back to its email under `EM`; with neither, there is no EndpointID.
 */
const VAT_SCHEMES: Record<string, string> = {
  AT: "9914", BE: "9925", BG: "9926", CY: "9928", CZ: "9929", DE: "9930", EE: "9931", GB: "9932",
  GR: "9933", EL: "9933", HR: "9934", IE: "9935", LU: "9938", LV: "9939", MT: "9943", NL: "9944",
  PL: "9945", PT: "9946", RO: "9947", SI: "9949", SK: "9950", SM: "9951", TR: "9952", VA: "9953",
  FR: "9957", IT: "0211", ES: "9920", HU: "9910", LT: "0200", DK: "0198", SE: "0007", FI: "0213"
}

export interface Endpoint {
  readonly scheme: string
  readonly id: string
}

/** A VAT id's country: its two-letter prefix (`DE123456789` -> `DE`). */
export const vatCountry = (taxId: string): string | null => /^[A-Z]{2}/.test(taxId) ? taxId.slice(0, 2) : null

export const endpointOf = (party: { readonly tax_id: string | null; readonly email: string | null }): Endpoint | null => {
  const taxId = party.tax_id?.replace(/\s+/g, "") ?? null
  const scheme = taxId === null ? undefined : VAT_SCHEMES[vatCountry(taxId) ?? ""]
  if (taxId !== null && scheme !== undefined) return { scheme, id: taxId }
  if (party.email !== null && party.email !== "") return { scheme: "EM", id: party.email }
  return null
}

/** UNCL 5305 tax category ids Peppol allows for Provisio's taxes. */
export type TaxCategoryCode = "S" | "Z" | "E" | "AE"

const REVERSE_CHARGE = /reverse|steuerschuldnerschaft|autoliquidation|inversione/i

/**
 * S (standard rate, any non-zero rate), AE (reverse charge: an exemption reason that says so, or a
 * customer marked `reverse_charge`), E (exempt, with its reason), Z (zero-rated, no reason).
 */
export const taxCategoryCode = (tax: Pick<InvoiceTax, "rate" | "exemption_reason">, customerExempt: string): TaxCategoryCode => {
  if (!BigDecimal.isZero(tax.rate)) return "S"
  if (customerExempt === "reverse_charge" || (tax.exemption_reason !== null && REVERSE_CHARGE.test(tax.exemption_reason))) return "AE"
  if (tax.exemption_reason !== null || customerExempt === "exempt") return "E"
  return "Z"
}

/** The reason printed for a category that charges no tax (BT-120): the invoice's, else the usual words. */
export const exemptionReason = (code: TaxCategoryCode, reason: string | null): string | null => {
  if (reason !== null) return reason
  if (code === "AE") return "Reverse charge"
  if (code === "E") return "Exempt from VAT"
  return null
}

/** UN/ECE Rec 20 unit of an invoice line: `C62` (one, a unit) for seats and usage units alike. */
export const UNIT_CODE = "C62"
