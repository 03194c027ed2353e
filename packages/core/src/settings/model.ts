import * as Schema from "effect/Schema"
import { Timestamp } from "../shared/time.js"
import { Address } from "../customers/model.js"
import { mod97 } from "../shared/mod97.js"
import { Email, Text } from "../shared/text.js"
import { readOnlyField } from "../shared/read-only.js"

// Field formats. Inputs are decoded through these, and so are the stored sections: they are
// jsonb written only through these same schemas.


const parseUrl = (value: string): URL | undefined => {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

/** Hosts a plain `http://` URL may name: a key server on the same machine (development, tests). */
export const LOOPBACK_HOSTS: ReadonlyArray<string> = ["localhost", "127.0.0.1"]

/** An absolute `https://` URL without credentials in it; `http://` only for a loopback host when allowed. */
export const isAllowedUrl = (value: string, options: { readonly loopbackHttp: boolean }): boolean => {
  const url = parseUrl(value)
  if (url === undefined || url.username !== "" || url.password !== "") return false
  if (url.protocol === "https:") return true
  return options.loopbackHttp && url.protocol === "http:" && LOOPBACK_HOSTS.includes(url.hostname)
}

/** Where a provider publishes its keys: https, or http on localhost / 127.0.0.1 only. */
export const JwksUri = Schema.Trim.pipe(
  Schema.maxLength(2000),
  Schema.filter((s) => isAllowedUrl(s, { loopbackHttp: true }), {
    message: () => "must be an absolute https:// URL (http:// only for localhost or 127.0.0.1)"
  })
)

/** An OpenID issuer identifier: compared with the token's `iss` exactly, so it is kept as given. */
export const Issuer = Schema.String.pipe(
  Schema.maxLength(2000),
  Schema.filter((s) => isAllowedUrl(s, { loopbackHttp: true }), {
    message: () => "must be the issuer's absolute https:// URL, exactly as it appears in the tokens' iss claim"
  })
)

export const HexColor = Schema.String.pipe(
  Schema.pattern(/^#[0-9a-fA-F]{6}$/, { message: () => "must be a color in the form #rrggbb, e.g. \"#1a73e8\"" })
)


/** Every field may be left out on input and always comes back, as null when unset. */
const nullable = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

// Branding ------------------------------------------------------------------------------------

/** The largest logo kept inline (`data:` URL), about 300 KB of image. */
export const MAX_LOGO_DATA_URL = 400_000

/**
 * A logo: a web address (the console shows it; documents cannot, they are rendered offline), or
 * the image itself as a `data:image/png|jpeg;base64,` URL, which invoices and credit notes print.
 */
const LogoUrl = Schema.Trim.pipe(
  Schema.maxLength(MAX_LOGO_DATA_URL),
  Schema.filter((s) => (s.length <= 2000 && isAllowedUrl(s, { loopbackHttp: false })) || inlineLogo(s) !== null, {
    message: () => "must be an absolute https:// URL, or a PNG or JPEG image as a data:image/png;base64 or data:image/jpeg;base64 URL"
  })
)

/** The image of an inline logo (PNG or JPEG, checked by its first bytes), as base64; null for anything else. */
export const inlineLogo = (url: string): { readonly format: "png" | "jpeg"; readonly base64: string } | null => {
  const match = /^data:image\/(png|jpeg);base64,([A-Za-z0-9+/]+={0,2})$/.exec(url)
  if (match === null) return null
  const format = match[1] as "png" | "jpeg"
  const base64 = match[2]!
  // PNG files start 89 50 4E 47 0D 0A 1A 0A, JPEG files FF D8 FF.
  return base64.startsWith(format === "png" ? "iVBORw0KGgo" : "/9j/") ? { format, base64 } : null
}

export class Branding extends Schema.Class<Branding>("Branding")({
  display_name: nullable(Text(200)),
  logo_url: nullable(LogoUrl),
  primary_color: nullable(HexColor),
  support_email: nullable(Email)
}) {}

/**
 * The branding a caller shows (`GET /branding`): its own account's, else that of the nearest
 * account above it that set one (a customer's portal wears its partner's, or its distributor's),
 * with the account it came from; none set anywhere is the defaults with `account_id` null.
 */
export class EffectiveBranding extends Schema.Class<EffectiveBranding>("EffectiveBranding")({
  account_id: Schema.NullOr(Schema.String),
  branding: Branding
}) {}

// Licensing -----------------------------------------------------------------------------------

export const FeatureName = Text(100)

export class Licensing extends Schema.Class<Licensing>("Licensing")({
  /** How many customers the account may hold; null is no limit. */
  max_customers: nullable(Schema.Int.pipe(Schema.nonNegative({ message: () => "must be an integer of 0 or more" }))),
  features: Schema.optionalWith(Schema.Array(FeatureName).pipe(Schema.maxItems(100)), { default: () => [] })
}) {}

// Identity providers --------------------------------------------------------------------------

export const ProviderId = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, {
    message: () => "must be a slug of lower-case letters, digits and hyphens (at most 64), e.g. \"acme-entra\""
  })
)

export const ProviderType = Schema.Literal("entra", "google", "oidc")
export type ProviderType = typeof ProviderType.Type

/** A Microsoft Entra tenant: its GUID or one of its domain names. */
export const TenantId = Schema.Trim.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/, {
    message: () => "must be an Entra tenant id (a GUID) or a tenant domain, e.g. \"contoso.onmicrosoft.com\""
  }),
  Schema.filter((s) => !["common", "organizations", "consumers"].includes(s.toLowerCase()), {
    message: () => "must name one tenant: the multi-tenant endpoints (common, organizations, consumers) are not supported"
  })
)

// JWK members that only a private (or symmetric) key has.
const PRIVATE_KEY_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

const Jwk = Schema.Record({ key: Schema.String, value: Schema.Unknown }).pipe(
  Schema.filter((jwk) => typeof jwk["kty"] === "string", { message: () => "each key must be a JWK with a kty member" }),
  Schema.filter((jwk) => PRIVATE_KEY_MEMBERS.every((member) => !(member in jwk)), {
    message: () => "must hold public keys only: private or symmetric key members (d, p, q, k, ...) are not accepted"
  })
)

/** A JSON Web Key Set given inline: public keys only. */
export const Jwks = Schema.Struct({
  keys: Schema.Array(Jwk).pipe(
    Schema.minItems(1, { message: () => "must hold at least one key" }),
    Schema.maxItems(20)
  )
}).annotations({ identifier: "Jwks" })
export type Jwks = typeof Jwks.Type

export const MAX_CLOCK_SKEW_SECONDS = 600
export const DEFAULT_CLOCK_SKEW_SECONDS = 60
export const MAX_IDENTITY_PROVIDERS = 20

/**
 * An OpenID Connect issuer whose ID tokens the account accepts at `POST /auth/federated`. The
 * keys come from `jwks_uri` or the inline `jwks`, exactly one of them. Nothing here is secret.
 */
export class IdentityProvider extends Schema.Class<IdentityProvider>("IdentityProvider")({
  /** Unique across the platform: it names the provider when a token is exchanged. */
  id: Schema.String,
  type: ProviderType,
  issuer: Schema.String,
  /** The client id the tokens are issued for (their `aud`). */
  audience: Schema.String,
  jwks_uri: Schema.NullOr(Schema.String),
  jwks: Schema.NullOr(Schema.Struct({ keys: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })) })),
  tenant_id: Schema.NullOr(Schema.String),
  clock_skew_seconds: Schema.Int,
  enabled: Schema.Boolean
}) {}

/**
 * A provider as an admin writes it. Presets fill the rest: `entra` with `tenant_id` and `google`
 * need only `audience`; `oidc` names `issuer` and `jwks_uri` or `jwks`. Nulls read as absent, so
 * what `GET /settings` answers can be sent back as it is.
 */
export class IdentityProviderInput extends Schema.Class<IdentityProviderInput>("IdentityProviderInput")({
  id: ProviderId,
  type: ProviderType,
  issuer: Schema.optional(Schema.NullOr(Issuer)),
  audience: Text(500),
  jwks_uri: Schema.optional(Schema.NullOr(JwksUri)),
  jwks: Schema.optional(Schema.NullOr(Jwks)),
  tenant_id: Schema.optional(Schema.NullOr(TenantId)),
  /** `60` when absent. */
  clock_skew_seconds: Schema.optional(
    Schema.Int.pipe(Schema.between(0, MAX_CLOCK_SKEW_SECONDS, {
      message: () => `must be an integer from 0 to ${MAX_CLOCK_SKEW_SECONDS}`
    }))
  ),
  /** `true` when absent. */
  enabled: Schema.optional(Schema.Boolean)
}) {}

/** ISO 13616: the country, two check digits, then up to 30 letters and digits; mod 97 of the rearranged number is 1. */
export const isValidIban = (text: string): boolean => {
  const iban = text.replace(/\s+/g, "").toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false
  return mod97(iban.slice(4) + iban.slice(0, 4)) === 1
}

const Iban = Schema.Trim.pipe(
  Schema.filter(isValidIban, { message: () => "must be an IBAN with valid check digits, e.g. \"DE89 3704 0044 0532 0130 00\"" }),
  Schema.transform(Schema.String, { strict: true, decode: (s) => s.replace(/\s+/g, "").toUpperCase(), encode: (s) => s })
)

const Bic = Schema.Trim.pipe(
  Schema.pattern(/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/, { message: () => "must be a BIC of 8 or 11 letters and digits, e.g. \"COBADEFFXXX\"" })
)

const CountryCode = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{2}$/, { message: () => "must be an ISO 3166-1 alpha-2 country code in upper case, e.g. \"DE\"" })
)

/**
 * The issuer's legal details, printed on its invoices and credit notes and written into its
 * e-invoices: who sells, where it is registered for tax, and where to pay.
 */
export class Legal extends Schema.Class<Legal>("Legal")({
  name: nullable(Text(200)),
  address: nullable(Address),
  /** Where it is established: the seller's country for tax. */
  country: nullable(CountryCode),
  tax_id: nullable(Text(40)),
  /** Where it is registered for tax, when not its country. */
  tax_country: nullable(CountryCode),
  iban: nullable(Iban),
  bic: nullable(Bic),
  payment_instructions: nullable(Text(1000))
}) {}

/** How the account's invoices are collected, unless a customer sets its own. */
export class BillingSettings extends Schema.Class<BillingSettings>("BillingSettings")({
  /** Days from an invoice's finalization to its due date; null = 14. */
  payment_terms_days: nullable(Schema.Int.pipe(
    Schema.between(0, 365, { message: () => "must be a whole number of days from 0 to 365" })
  ))
}) {}

/**
 * Channel economics (docs/channel.md "Upstream invoices"): on a distributor, its billing runs
 * invoice its reseller partners for their customers' consumption at the partners' cost; on the
 * platform, the distributors at theirs. Off by default, so runs are as they were.
 */
export class ChannelSettings extends Schema.Class<ChannelSettings>("ChannelSettings")({
  upstream_invoicing: Schema.optionalWith(Schema.Boolean, { default: () => false })
}) {}

// Settings ------------------------------------------------------------------------------------

/** An account's settings (or a customer's): defaults until first written. */
export class Settings extends Schema.Class<Settings>("Settings")({
  account_id: Schema.String,
  branding: Branding,
  licensing: Licensing,
  identity_providers: Schema.Array(IdentityProvider),
  billing: Schema.optionalWith(BillingSettings, { default: () => new BillingSettings({}) }),
  legal: Schema.optionalWith(Legal, { default: () => new Legal({}) }),
  channel: Schema.optionalWith(ChannelSettings, { default: () => new ChannelSettings({}) }),
  /** Null while the account still has the defaults. */
  created_at: Schema.NullOr(Timestamp),
  updated_at: Schema.NullOr(Timestamp)
}) {
  static defaults(accountId: string): Settings {
    return new Settings({
      account_id: accountId,
      branding: new Branding({}),
      licensing: new Licensing({}),
      identity_providers: [],
      billing: new BillingSettings({}),
      legal: new Legal({}),
      channel: new ChannelSettings({}),
      created_at: null,
      updated_at: null
    })
  }
}

/** `PUT /settings`: each section given replaces the stored one whole; absent sections stay. */
export class UpdateSettings extends Schema.Class<UpdateSettings>("UpdateSettings")({
  branding: Schema.optional(Branding),
  licensing: Schema.optional(Licensing),
  billing: Schema.optional(BillingSettings),
  legal: Schema.optional(Legal),
  channel: Schema.optional(ChannelSettings),
  identity_providers: Schema.optional(
    Schema.Array(IdentityProviderInput).pipe(
      Schema.maxItems(MAX_IDENTITY_PROVIDERS, { message: () => `must hold at most ${MAX_IDENTITY_PROVIDERS} providers` })
    )
  ),
  /** Read-only (shared/read-only.ts): the settings are the caller's account's (or X-Tenant-ID's). */
  account_id: readOnlyField
}) {}
