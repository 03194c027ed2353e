import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, createKey, expectData, expectError, TestServer } from "./harness"

const SETTINGS = "/api/v1/settings"

const put = (key: string, body: unknown, headers?: Record<string, string>) =>
  call("PUT", SETTINGS, { key, body, headers })

const oidc = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  type: "oidc",
  issuer: "https://idp.example.test",
  audience: "client-123",
  jwks_uri: "https://idp.example.test/keys",
  ...fields
})

/** A provider id no other test (or run) has taken: ids are unique across the platform. */
let counter = 0
const uniqueId = (name: string) => `${name}-${Date.now().toString(36)}-${counter++}`

describe("settings", () => {
  it.layer(TestServer)("GET and PUT /settings", (it) => {
    it.effect("an account that never wrote its settings has the defaults", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const settings = expectData(yield* call("GET", SETTINGS, { key: partnerKey }))
        expect(settings).toEqual({
          account_id: partner.id,
          branding: { display_name: null, logo_url: null, primary_color: null, support_email: null },
          licensing: { max_customers: null, features: [] },
          identity_providers: [],
          billing: { payment_terms_days: null },
          legal: {
            name: null, address: null, country: null, tax_id: null, tax_country: null, iban: null, bic: null,
            payment_instructions: null
          },
          channel: { upstream_invoicing: false },
          created_at: null,
          updated_at: null
        })
      }))

    it.effect("PUT replaces the sections given and keeps the others", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const branded = expectData(yield* put(partnerKey, {
          branding: { display_name: "Acme Cloud", primary_color: "#1A73E8", logo_url: "https://cdn.acme.example/logo.svg" }
        }))
        expect(branded.branding).toEqual({
          display_name: "Acme Cloud",
          logo_url: "https://cdn.acme.example/logo.svg",
          primary_color: "#1A73E8",
          support_email: null
        })
        expect(branded.licensing).toEqual({ max_customers: null, features: [] })
        expect(branded.created_at).toMatch(/Z$/)

        const licensed = expectData(yield* put(partnerKey, { licensing: { max_customers: 50, features: ["sso", "api", "sso"] } }))
        expect(licensed.branding.display_name).toBe("Acme Cloud")
        expect(licensed.licensing).toEqual({ max_customers: 50, features: ["sso", "api"] })
        expect(licensed.created_at).toBe(branded.created_at)

        // A section sent is replaced whole: fields left out are cleared.
        const rebranded = expectData(yield* put(partnerKey, { branding: { support_email: "help@acme.example" } }))
        expect(rebranded.branding).toEqual({
          display_name: null,
          logo_url: null,
          primary_color: null,
          support_email: "help@acme.example"
        })
        expect(rebranded.licensing.max_customers).toBe(50)

        const read = expectData(yield* call("GET", SETTINGS, { key: partnerKey }))
        expect(read).toEqual(rebranded)
        expect(read.account_id).toBe(partner.id)
      }))

    it.effect("identity provider presets: entra with a tenant, google, and defaults", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const entra = uniqueId("acme-entra")
        const google = uniqueId("acme-google")
        const settings = expectData(yield* put(partnerKey, {
          identity_providers: [
            { id: entra, type: "entra", tenant_id: "8eaef023-2b34-4da1-9baa-8bc8c9d6a490", audience: "app-1" },
            { id: google, type: "google", audience: "123.apps.googleusercontent.com", clock_skew_seconds: 30, enabled: false }
          ]
        }))
        expect(settings.identity_providers).toEqual([
          {
            id: entra,
            type: "entra",
            issuer: "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0",
            audience: "app-1",
            jwks_uri: "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/discovery/v2.0/keys",
            jwks: null,
            tenant_id: "8eaef023-2b34-4da1-9baa-8bc8c9d6a490",
            clock_skew_seconds: 60,
            enabled: true
          },
          {
            id: google,
            type: "google",
            issuer: "https://accounts.google.com",
            audience: "123.apps.googleusercontent.com",
            jwks_uri: "https://www.googleapis.com/oauth2/v3/certs",
            jwks: null,
            tenant_id: null,
            clock_skew_seconds: 30,
            enabled: false
          }
        ])
        // What GET answers can be sent back as it is.
        const again = expectData(yield* put(partnerKey, { identity_providers: settings.identity_providers }))
        expect(again.identity_providers).toEqual(settings.identity_providers)
      }))

    it.effect("an OIDC provider with inline keys; a loopback http jwks_uri is allowed", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const jwks = { keys: [{ kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", kid: "k1" }] }
        const inline = uniqueId("inline")
        const local = uniqueId("local")
        const settings = expectData(yield* put(partnerKey, {
          identity_providers: [
            oidc(inline, { jwks_uri: null, jwks }),
            oidc(local, { jwks_uri: "http://127.0.0.1:8123/jwks" })
          ]
        }))
        expect(settings.identity_providers[0]).toMatchObject({ id: inline, jwks_uri: null, jwks })
        expect(settings.identity_providers[1]).toMatchObject({ id: local, jwks_uri: "http://127.0.0.1:8123/jwks", jwks: null })
      }))

    it.effect("a logo may be kept inline as a PNG or JPEG data URL (documents print it)", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        expect(expectData(yield* put(partnerKey, { branding: { logo_url: png } })).branding.logo_url).toBe(png)
      }))

    it.effect("invalid settings are 422 naming the field, and change nothing", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const id = uniqueId("dup")
        expectError(yield* put(partnerKey, { branding: { primary_color: "blue" } }), 422, "validation_error", "branding.primary_color")
        expectError(yield* put(partnerKey, { branding: { primary_color: "#12345" } }), 422, "validation_error", "branding.primary_color")
        expectError(yield* put(partnerKey, { branding: { logo_url: "http://cdn.example/logo.png" } }), 422, "validation_error", "branding.logo_url")
        // Inline logos (printed on documents): PNG or JPEG only, and the bytes must be one.
        expectError(yield* put(partnerKey, { branding: { logo_url: "data:image/gif;base64,R0lGODlhAQABAAAAACw=" } }), 422, "validation_error", "branding.logo_url")
        expectError(yield* put(partnerKey, { branding: { logo_url: "data:image/png;base64,R0lGODlhAQABAAAAACw=" } }), 422, "validation_error", "branding.logo_url")
        expectError(yield* put(partnerKey, { branding: { support_email: "nope" } }), 422, "validation_error", "branding.support_email")
        expectError(yield* put(partnerKey, { licensing: { max_customers: -1 } }), 422, "validation_error", "licensing.max_customers")
        expectError(yield* put(partnerKey, { licensing: { max_customers: 1.5 } }), 422, "validation_error", "licensing.max_customers")
        expectError(
          yield* put(partnerKey, { identity_providers: [oidc(id), oidc(id)] }),
          422,
          "validation_error",
          "identity_providers[1].id"
        )
        expectError(
          yield* put(partnerKey, { identity_providers: [oidc(uniqueId("plain"), { jwks_uri: "http://idp.example.test/keys" })] }),
          422,
          "validation_error",
          "identity_providers[0].jwks_uri"
        )
        expectError(
          yield* put(partnerKey, { identity_providers: [oidc(uniqueId("noiss"), { issuer: undefined })] }),
          422,
          "validation_error",
          "identity_providers[0].issuer"
        )
        expectError(
          yield* put(partnerKey, { identity_providers: [oidc(uniqueId("nokeys"), { jwks_uri: undefined })] }),
          422,
          "validation_error",
          "identity_providers[0].jwks_uri"
        )
        expectError(
          yield* put(partnerKey, { identity_providers: [{ id: uniqueId("entra"), type: "entra", audience: "a" }] }),
          422,
          "validation_error",
          "identity_providers[0].tenant_id"
        )
        expectError(
          yield* put(partnerKey, { identity_providers: [{ id: uniqueId("entra"), type: "entra", tenant_id: "common", audience: "a" }] }),
          422,
          "validation_error",
          "identity_providers[0].tenant_id"
        )
        expectError(
          yield* put(partnerKey, { identity_providers: [oidc("Not A Slug")] }),
          422,
          "validation_error",
          "identity_providers[0].id"
        )
        expectError(
          yield* put(partnerKey, { identity_providers: [{ ...oidc(uniqueId("t")), type: "saml" }] }),
          422,
          "validation_error",
          "identity_providers[0].type"
        )
        expectError(
          yield* put(partnerKey, { identity_providers: [oidc(uniqueId("skew"), { clock_skew_seconds: 3600 })] }),
          422,
          "validation_error",
          "identity_providers[0].clock_skew_seconds"
        )
        // A private key pasted by mistake is refused, and not echoed back.
        const privateKey = yield* put(partnerKey, {
          identity_providers: [oidc(uniqueId("priv"), { jwks_uri: null, jwks: { keys: [{ kty: "EC", crv: "P-256", x: "a", y: "b", d: "secret-part" }] } })]
        })
        expectError(privateKey, 422, "validation_error", "identity_providers[0].jwks.keys[0]")
        expect(privateKey.text).not.toContain("secret-part")

        expect(expectData(yield* call("GET", SETTINGS, { key: partnerKey })).updated_at).toBeNull()
      }))

    it.effect("provider ids are unique across the platform, and free again once removed", () =>
      Effect.gen(function* () {
        const a = yield* channel()
        const b = yield* channel()
        const id = uniqueId("shared")
        expectData(yield* put(a.partnerKey, { identity_providers: [oidc(id)] }))
        const taken = yield* put(b.partnerKey, { identity_providers: [oidc(uniqueId("other")), oidc(id)] })
        expectError(taken, 422, "validation_error", "identity_providers[1].id")
        expect(expectData(yield* call("GET", SETTINGS, { key: b.partnerKey })).identity_providers).toEqual([])
        // The same account may write its own provider again.
        expectData(yield* put(a.partnerKey, { identity_providers: [oidc(id, { audience: "client-456" })] }))
        expectData(yield* put(a.partnerKey, { identity_providers: [] }))
        const moved = expectData(yield* put(b.partnerKey, { identity_providers: [oidc(id)] }))
        expect(moved.identity_providers.map((p: { id: string }) => p.id)).toEqual([id])
      }))

    it.effect("only admins change settings; viewers and managers read them", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const viewer = yield* createKey(partner.id, "viewer")
        const manager = yield* createKey(partner.id, "manager")
        expect((yield* call("GET", SETTINGS, { key: viewer })).status).toBe(200)
        expectError(yield* put(viewer, { branding: { display_name: "x" } }), 403, "forbidden")
        expectError(yield* put(manager, { branding: { display_name: "x" } }), 403, "forbidden")
        expect(expectData(yield* call("GET", SETTINGS, { key: manager })).branding.display_name).toBeNull()
      }))

    it.effect("settings are the caller's own or its X-Tenant-ID target's; another account's are unreachable", () =>
      Effect.gen(function* () {
        const a = yield* channel()
        const b = yield* channel()
        expectData(yield* put(a.partnerKey, { branding: { display_name: "A" } }))
        expect(expectData(yield* call("GET", SETTINGS, { key: b.partnerKey })).branding.display_name).toBeNull()
        expectError(
          yield* call("GET", SETTINGS, { key: b.partnerKey, headers: { "x-tenant-id": a.partner.id } }),
          404,
          "not_found"
        )
        expectError(
          yield* put(b.distributorKey, { branding: { display_name: "B" } }, { "x-tenant-id": a.partner.id }),
          404,
          "not_found"
        )
        // From above, through X-Tenant-ID.
        const asPartner = expectData(
          yield* call("GET", SETTINGS, { key: a.distributorKey, headers: { "x-tenant-id": a.partner.id } })
        )
        expect(asPartner).toMatchObject({ account_id: a.partner.id, branding: { display_name: "A" } })
        expectData(yield* put(a.distributorKey, { licensing: { max_customers: 10 } }, { "x-tenant-id": a.partner.id }))
        expect(expectData(yield* call("GET", SETTINGS, { key: a.partnerKey })).licensing.max_customers).toBe(10)
        // The distributor's own settings are separate.
        expect(expectData(yield* call("GET", SETTINGS, { key: a.distributorKey })).account_id).toBe(a.distributor.id)
        // Another account's id in the body is 422 naming account_id: it used to change the caller's own settings.
        const named = yield* put(a.distributorKey, { account_id: a.partner.id, branding: { display_name: "Meant for the partner" } })
        expectError(named, 422, "validation_error", "account_id")
        expect(named.body.error.message).toMatch(/X-Tenant-ID/)
        expect(expectData(yield* call("GET", SETTINGS, { key: a.distributorKey })).branding.display_name).toBeNull()
        // Its own, as a read sent back whole, is taken.
        const whole = expectData(yield* call("GET", SETTINGS, { key: a.distributorKey }))
        expectData(yield* put(a.distributorKey, { ...whole, branding: { ...whole.branding, display_name: "D" } }))
      }))

    it.effect("without a token: 401", () =>
      Effect.gen(function* () {
        expectError(yield* call("GET", SETTINGS, { key: null }), 401, "unauthorized")
      }))
  })
})
