import type { DocumentIssuer, InvoiceDocument } from "./model.js"
import type { PartySources } from "./ports.js"

/**
 * A document's two parties from their sources: the issuer's legal name (else its account name,
 * else its id), its brand (else the legal name), its country (legal, else its address's); the
 * buyer as it is (a customer, or the account an upstream invoice bills).
 */
export const partiesFrom = (
  issuerAccountId: string,
  sources: PartySources
): { readonly issuer: DocumentIssuer; readonly customer: InvoiceDocument["customer"] } => {
  const { branding, customer, legal } = sources
  const name = legal?.name ?? sources.account_name ?? issuerAccountId
  const address = legal?.address ?? null
  return {
    issuer: {
      name,
      display_name: branding?.display_name ?? name,
      address,
      country: legal?.country ?? address?.country ?? null,
      tax_id: legal?.tax_id ?? null,
      email: branding?.support_email ?? null,
      primary_color: branding?.primary_color ?? null,
      logo_url: branding?.logo_url ?? null,
      iban: legal?.iban ?? null,
      bic: legal?.bic ?? null,
      payment_instructions: legal?.payment_instructions ?? null
    },
    customer: {
      id: customer.id,
      name: customer.name,
      address: customer.address,
      country: customer.address?.country ?? customer.country ?? null,
      tax_id: customer.tax_id,
      tax_exempt: customer.tax_exempt,
      email: customer.email,
      language: customer.language
    }
  }
}
