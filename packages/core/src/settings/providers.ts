import * as Either from "effect/Either"
import { ValidationError } from "../shared/errors.js"
import { DEFAULT_CLOCK_SKEW_SECONDS, IdentityProvider, type IdentityProviderInput } from "./model.js"

/** Microsoft Entra ID (v2.0 endpoints) for one tenant. */
export const entraPreset = (tenantId: string) => ({
  issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
  jwks_uri: `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`
})

export const GOOGLE_PRESET = {
  issuer: "https://accounts.google.com",
  jwks_uri: "https://www.googleapis.com/oauth2/v3/certs"
} as const

/** Google signs some ID tokens with the issuer written without its scheme; both name it. */
export const GOOGLE_ISSUERS: ReadonlyArray<string> = [GOOGLE_PRESET.issuer, "accounts.google.com"]

/** The `iss` values a provider's tokens may carry. */
export const acceptedIssuers = (provider: IdentityProvider): ReadonlyArray<string> =>
  provider.type === "google" && GOOGLE_ISSUERS.includes(provider.issuer) ? GOOGLE_ISSUERS : [provider.issuer]

/**
 * The providers an admin wrote, checked as a whole and completed by their type's preset: what
 * is stored and what verification uses. The first problem found names its field, e.g.
 * `identity_providers[1].issuer`. Uniqueness across the platform is the repository's to enforce.
 */
export const resolveProviders = (
  inputs: ReadonlyArray<IdentityProviderInput>
): Either.Either<ReadonlyArray<IdentityProvider>, ValidationError> => {
  const resolved: Array<IdentityProvider> = []
  const seen = new Set<string>()
  for (const [index, input] of inputs.entries()) {
    const field = (name: string) => `identity_providers[${index}].${name}`
    const fail = (name: string, message: string) => Either.left(ValidationError.of(field(name), message))

    if (seen.has(input.id)) return fail("id", `provider id "${input.id}" is given twice`)
    seen.add(input.id)

    const tenantId = input.tenant_id ?? null
    const jwks = input.jwks ?? null
    let issuer = input.issuer ?? null
    let jwksUri = input.jwks_uri ?? null

    if (tenantId !== null && input.type !== "entra") return fail("tenant_id", "applies to type entra only")
    if (jwksUri !== null && jwks !== null) return fail("jwks", "give the keys as jwks_uri or as jwks, not both")

    switch (input.type) {
      case "entra": {
        if (tenantId === null && issuer === null) {
          return fail("tenant_id", "is required for type entra (or give issuer and jwks_uri explicitly)")
        }
        if (tenantId !== null) {
          const preset = entraPreset(tenantId)
          issuer ??= preset.issuer
          if (jwks === null) jwksUri ??= preset.jwks_uri
        }
        break
      }
      case "google": {
        issuer ??= GOOGLE_PRESET.issuer
        if (jwks === null) jwksUri ??= GOOGLE_PRESET.jwks_uri
        break
      }
      case "oidc": {
        if (issuer === null) return fail("issuer", "is required for type oidc")
        break
      }
    }
    if (jwksUri === null && jwks === null) {
      return fail("jwks_uri", `is required for type ${input.type}, unless the keys are given inline as jwks`)
    }

    resolved.push(new IdentityProvider({
      id: input.id,
      type: input.type,
      issuer: issuer!,
      audience: input.audience,
      jwks_uri: jwksUri,
      jwks,
      tenant_id: tenantId,
      clock_skew_seconds: input.clock_skew_seconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
      enabled: input.enabled ?? true
    }))
  }
  return Either.right(resolved)
}

/** Feature names, each once, in the order first given. */
export const uniqueFeatures = (features: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(features)]
