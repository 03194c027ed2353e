/**
 * Tax ids by format: a VAT number starts with its country's prefix (EU member states, and the
 * United Kingdom, Switzerland and Norway, which use the same scheme), then the country's pattern.
 * Formats only: check digits and whether the number is registered are a `TaxIdVerifier`'s to say
 * (a live registry such as VIES). Greece's prefix is `EL`; Northern Ireland's `XI`.
 */

/** The prefix-less pattern of each VAT scheme, by the prefix written before it. */
const VAT_FORMATS: Record<string, { readonly country: string; readonly pattern: RegExp }> = {
  AT: { country: "AT", pattern: /^U\d{8}$/ },
  BE: { country: "BE", pattern: /^[01]\d{9}$/ },
  BG: { country: "BG", pattern: /^\d{9,10}$/ },
  CY: { country: "CY", pattern: /^\d{8}[A-Z]$/ },
  CZ: { country: "CZ", pattern: /^\d{8,10}$/ },
  DE: { country: "DE", pattern: /^\d{9}$/ },
  DK: { country: "DK", pattern: /^\d{8}$/ },
  EE: { country: "EE", pattern: /^\d{9}$/ },
  EL: { country: "GR", pattern: /^\d{9}$/ },
  ES: { country: "ES", pattern: /^[A-Z0-9]\d{7}[A-Z0-9]$/ },
  FI: { country: "FI", pattern: /^\d{8}$/ },
  FR: { country: "FR", pattern: /^[A-HJ-NP-Z0-9]{2}\d{9}$/ },
  HR: { country: "HR", pattern: /^\d{11}$/ },
  HU: { country: "HU", pattern: /^\d{8}$/ },
  IE: { country: "IE", pattern: /^(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/ },
  IT: { country: "IT", pattern: /^\d{11}$/ },
  LT: { country: "LT", pattern: /^(\d{9}|\d{12})$/ },
  LU: { country: "LU", pattern: /^\d{8}$/ },
  LV: { country: "LV", pattern: /^\d{11}$/ },
  MT: { country: "MT", pattern: /^\d{8}$/ },
  NL: { country: "NL", pattern: /^\d{9}B\d{2}$/ },
  PL: { country: "PL", pattern: /^\d{10}$/ },
  PT: { country: "PT", pattern: /^\d{9}$/ },
  RO: { country: "RO", pattern: /^\d{2,10}$/ },
  SE: { country: "SE", pattern: /^\d{10}01$/ },
  SI: { country: "SI", pattern: /^\d{8}$/ },
  SK: { country: "SK", pattern: /^\d{10}$/ },
  XI: { country: "GB", pattern: /^(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/ },
  GB: { country: "GB", pattern: /^(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/ },
  CH: { country: "CH", pattern: /^E\d{9}(MWST|TVA|IVA)?$/ },
  NO: { country: "NO", pattern: /^\d{9}(MVA)?$/ }
}

/** The member states of the EU VAT area (by ISO country code; Greece is GR, its VAT prefix EL). */
export const EU_VAT_COUNTRIES: ReadonlySet<string> = new Set([
  "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
  "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"
])

/** A tax id as stored and compared: upper case, without spaces, dots or hyphens. */
export const normalizeTaxId = (text: string): string => text.toUpperCase().replace(/[\s.\-]/g, "")

/** The US Employer Identification Number, written `12-3456789`. */
const US_EIN = /^\d{2}-?\d{7}$/

/**
 * Whether `taxId` has the format of a tax id: a VAT number with a known prefix (`DE123456789`,
 * `ATU12345678`, `CHE-123.456.789 MWST`) or, for a customer in the United States, an EIN. Answers
 * the country the id belongs to, or why it is not one.
 */
export const checkTaxIdFormat = (
  taxId: string,
  addressCountry: string | null
): { readonly valid: true; readonly country: string; readonly normalized: string } | { readonly valid: false; readonly reason: string } => {
  const trimmed = taxId.trim()
  if (addressCountry === "US" && US_EIN.test(trimmed)) {
    return { valid: true, country: "US", normalized: trimmed.replace("-", "") }
  }
  const normalized = normalizeTaxId(trimmed)
  const format = VAT_FORMATS[normalized.slice(0, 2)]
  if (format === undefined) {
    return {
      valid: false,
      reason: "must be a VAT number starting with its country's prefix (e.g. \"DE123456789\"), or a US EIN (\"12-3456789\") for a customer in the US"
    }
  }
  if (!format.pattern.test(normalized.slice(2))) {
    return { valid: false, reason: `is not a ${normalized.slice(0, 2)} VAT number: check its digits and letters` }
  }
  return { valid: true, country: format.country, normalized }
}
