import { IdTokenRejected } from "@provisio/core/federation/errors"
import { VerifiedClaims } from "@provisio/core/federation/model"
import { IdTokenVerifier } from "@provisio/core/federation/ports"
import type { IdentityProvider } from "@provisio/core/settings/model"
import { acceptedIssuers } from "@provisio/core/settings/providers"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as jose from "jose"

/** The signature algorithms ID tokens may use; never `none` or a shared-secret HMAC. */
export const ALGORITHMS = ["RS256", "ES256"]

/** Remote key sets kept at once: jose caches each set's keys and refetches on an unknown `kid`. */
const MAX_REMOTE_SETS = 256

type KeySet = (header: jose.JWSHeaderParameters, token: jose.FlattenedJWSInput) => Promise<jose.CryptoKey>

/** Why jose refused a token, in the core's terms. */
export const rejection = (error: unknown): IdTokenRejected => {
  if (error instanceof jose.errors.JWTExpired) return IdTokenRejected.of("expired", "the token has expired")
  if (error instanceof jose.errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return IdTokenRejected.of("issuer", "the token's issuer is not the provider's")
      case "aud":
        return IdTokenRejected.of("audience", "the token was issued for another audience")
      case "nbf":
        return IdTokenRejected.of("not_yet_valid", "the token is not valid yet")
      default:
        return IdTokenRejected.of("claims", `the token's ${error.claim} claim is ${error.reason}`)
    }
  }
  if (error instanceof jose.errors.JWSSignatureVerificationFailed) {
    return IdTokenRejected.of("signature", "the token's signature does not verify")
  }
  if (error instanceof jose.errors.JWKSNoMatchingKey) {
    return IdTokenRejected.of("unknown_key", "no key of the provider matches the token")
  }
  if (error instanceof jose.errors.JOSEAlgNotAllowed || error instanceof jose.errors.JOSENotSupported) {
    return IdTokenRejected.of("algorithm", `the token's algorithm is not one of ${ALGORITHMS.join(", ")}`)
  }
  if (error instanceof jose.errors.JWSInvalid || error instanceof jose.errors.JWTInvalid) {
    return IdTokenRejected.of("malformed", "the token is not a well-formed signed JWT")
  }
  if (error instanceof jose.errors.JWKSTimeout) {
    return IdTokenRejected.of("keys_unavailable", "the provider's key set did not answer in time")
  }
  if (error instanceof jose.errors.JWKSInvalid || error instanceof jose.errors.JWKInvalid) {
    return IdTokenRejected.of("keys_unavailable", "the provider's key set is not valid")
  }
  // A network failure or a non-200 answer from the key set URL.
  return IdTokenRejected.of("keys_unavailable", `the provider's key set could not be used: ${String(error)}`)
}

const claimsOf = (payload: jose.JWTPayload): VerifiedClaims =>
  new VerifiedClaims({
    subject: payload.sub!,
    email: typeof payload["email"] === "string" ? payload["email"] : undefined,
    // Some issuers send the flag as a string.
    email_verified: payload["email_verified"] === true || payload["email_verified"] === "true"
  })

/**
 * `IdTokenVerifier` on jose: the keys from the provider's inline `jwks` or its `jwks_uri` (one
 * remote set per URI, shared by every request), and the time from the caller's `now`, so the
 * token's lifetime follows Effect's `Clock`.
 */
export const IdTokenVerifierLive = Layer.sync(IdTokenVerifier, () => {
  const remoteSets = new Map<string, KeySet>()

  const remote = (uri: string): KeySet => {
    let set = remoteSets.get(uri)
    if (set === undefined) {
      // The oldest set goes first; a provider in use is simply fetched again.
      if (remoteSets.size >= MAX_REMOTE_SETS) remoteSets.delete(remoteSets.keys().next().value!)
      set = jose.createRemoteJWKSet(new URL(uri))
      remoteSets.set(uri, set)
    }
    return set
  }

  const keysOf = (provider: IdentityProvider): KeySet =>
    provider.jwks !== null
      ? jose.createLocalJWKSet(provider.jwks as unknown as jose.JSONWebKeySet)
      : remote(provider.jwks_uri!)

  const verify = async (provider: IdentityProvider, idToken: string, now: DateTime.Utc) => {
    const options: jose.JWTVerifyOptions = {
      issuer: [...acceptedIssuers(provider)],
      audience: provider.audience,
      algorithms: ALGORITHMS,
      clockTolerance: provider.clock_skew_seconds,
      currentDate: DateTime.toDate(now),
      requiredClaims: ["sub", "exp", "iat"]
    }
    const keys = keysOf(provider)
    try {
      return await jose.jwtVerify(idToken, keys, options)
    } catch (error) {
      // A token without `kid` matching several keys: try each of them, as jose suggests.
      if (!(error instanceof jose.errors.JWKSMultipleMatchingKeys)) throw error
      for await (const key of error) {
        try {
          return await jose.jwtVerify(idToken, key, options)
        } catch (inner) {
          if (!(inner instanceof jose.errors.JWSSignatureVerificationFailed)) throw inner
        }
      }
      throw new jose.errors.JWSSignatureVerificationFailed()
    }
  }

  return IdTokenVerifier.of({
    verify: (provider, idToken, now) =>
      Effect.tryPromise({ try: () => verify(provider, idToken, now), catch: rejection }).pipe(
        Effect.map(({ payload }) => claimsOf(payload)),
        Effect.withSpan("IdTokenVerifier.verify", { attributes: { provider: provider.id } })
      )
  })
})
