import { describe, expect, it } from "@effect/vitest"
import { IdentityProviderInput, isAllowedUrl } from "@provisio/core/settings/model"
import { acceptedIssuers, resolveProviders, uniqueFeatures } from "@provisio/core/settings/providers"
import * as Either from "effect/Either"

const input = (fields: Partial<IdentityProviderInput> & Pick<IdentityProviderInput, "type">) =>
  new IdentityProviderInput({ id: "p", audience: "client-1", ...fields })

const resolved = (inputs: ReadonlyArray<IdentityProviderInput>) => Either.getOrThrow(resolveProviders(inputs))

const failure = (inputs: ReadonlyArray<IdentityProviderInput>) => {
  const result = resolveProviders(inputs)
  if (Either.isRight(result)) throw new Error("expected a validation error")
  return result.left
}

describe("identity provider presets", () => {
  it("entra with a tenant fills the v2.0 issuer and keys", () => {
    const [p] = resolved([input({ type: "entra", tenant_id: "contoso.onmicrosoft.com" })])
    expect(p).toMatchObject({
      issuer: "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
      jwks_uri: "https://login.microsoftonline.com/contoso.onmicrosoft.com/discovery/v2.0/keys",
      jwks: null,
      clock_skew_seconds: 60,
      enabled: true
    })
  })

  it("google fills its issuer and keys, and accepts both spellings of its issuer", () => {
    const [p] = resolved([input({ type: "google" })])
    expect(p).toMatchObject({ issuer: "https://accounts.google.com", jwks_uri: "https://www.googleapis.com/oauth2/v3/certs" })
    expect(acceptedIssuers(p!)).toEqual(["https://accounts.google.com", "accounts.google.com"])
  })

  it("explicit values win over the preset; inline keys replace the preset URI", () => {
    const jwks = { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y" }] }
    const [p] = resolved([input({ type: "entra", tenant_id: "t1", jwks, clock_skew_seconds: 5, enabled: false })])
    expect(p).toMatchObject({ issuer: "https://login.microsoftonline.com/t1/v2.0", jwks_uri: null, jwks, clock_skew_seconds: 5, enabled: false })
  })

  it("oidc needs an issuer and keys", () => {
    expect(failure([input({ type: "oidc", jwks_uri: "https://idp.example/keys" })]).field).toBe("identity_providers[0].issuer")
    expect(failure([input({ type: "oidc", issuer: "https://idp.example" })]).field).toBe("identity_providers[0].jwks_uri")
    expect(resolved([input({ type: "oidc", issuer: "https://idp.example", jwks_uri: "https://idp.example/keys" })])[0])
      .toMatchObject({ issuer: "https://idp.example", jwks_uri: "https://idp.example/keys", tenant_id: null })
  })

  it("names the field of the first problem", () => {
    expect(failure([input({ type: "google" }), input({ type: "google" })]).field).toBe("identity_providers[1].id")
    expect(failure([input({ type: "google", tenant_id: "t" })]).field).toBe("identity_providers[0].tenant_id")
    expect(failure([input({ type: "entra" })]).field).toBe("identity_providers[0].tenant_id")
    expect(
      failure([input({ type: "oidc", issuer: "https://i", jwks_uri: "https://i/k", jwks: { keys: [{ kty: "RSA" }] } })]).field
    ).toBe("identity_providers[0].jwks")
  })

  it("features are kept once each, in order", () => {
    expect(uniqueFeatures(["sso", "api", "sso"])).toEqual(["sso", "api"])
  })
})

describe("URLs", () => {
  it("https only, plain http for loopback hosts where allowed, never credentials", () => {
    expect(isAllowedUrl("https://idp.example/keys", { loopbackHttp: false })).toBe(true)
    expect(isAllowedUrl("http://idp.example/keys", { loopbackHttp: true })).toBe(false)
    expect(isAllowedUrl("http://127.0.0.1:8080/keys", { loopbackHttp: true })).toBe(true)
    expect(isAllowedUrl("http://localhost/keys", { loopbackHttp: true })).toBe(true)
    expect(isAllowedUrl("http://localhost/keys", { loopbackHttp: false })).toBe(false)
    expect(isAllowedUrl("http://127.0.0.1.evil.example/keys", { loopbackHttp: true })).toBe(false)
    expect(isAllowedUrl("https://user:pw@idp.example/keys", { loopbackHttp: false })).toBe(false)
    expect(isAllowedUrl("not a url", { loopbackHttp: true })).toBe(false)
  })
})
