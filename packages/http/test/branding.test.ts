import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, createKey, expectData, TestServer } from "./harness"

/**
 * `GET /branding`: what the console's customer portal wears. A customer sees its partner's
 * branding (or the distributor's when the partner set none), never a sibling's; an account's own
 * branding wins over the ones above it.
 */
describe("branding", () => {
  it.layer(TestServer)("the branding a caller shows", (it) => {
    it.effect("a customer wears its partner's branding, else its distributor's; its own wins; none is the defaults", () =>
      Effect.gen(function* () {
        const { distributorKey, partner, partnerKey } = yield* channel()
        const other = yield* channel()
        const customer = expectData(yield* call("POST", "/api/v1/customers", { key: partnerKey, body: { name: "Acme" } }), 201)
        const customerKey = yield* createKey(customer.id)
        const branding = (key: string) => Effect.map(call("GET", "/api/v1/branding", { key }), (answer) => expectData(answer))

        expect(yield* branding(customerKey)).toEqual({
          account_id: null,
          branding: { display_name: null, logo_url: null, primary_color: null, support_email: null }
        })

        const distributorBranding = { display_name: "Nordic", logo_url: null, primary_color: "#123456", support_email: null }
        expectData(yield* call("PUT", "/api/v1/settings", { key: distributorKey, body: { branding: distributorBranding } }))
        expect((yield* branding(customerKey)).branding).toEqual(distributorBranding)

        const partnerBranding = { display_name: "Fjord Telecom", logo_url: "https://fjord.example/logo.png", primary_color: "#7a1f5c", support_email: "help@fjord.example" }
        expectData(yield* call("PUT", "/api/v1/settings", { key: partnerKey, body: { branding: partnerBranding } }))
        expect(yield* branding(customerKey)).toEqual({ account_id: partner.id, branding: partnerBranding })
        expect(yield* branding(partnerKey)).toEqual({ account_id: partner.id, branding: partnerBranding })

        // Another partner's customer is untouched by this partner's branding.
        const stranger = expectData(yield* call("POST", "/api/v1/customers", { key: other.partnerKey, body: { name: "Other" } }), 201)
        expect((yield* branding(yield* createKey(stranger.id))).account_id).toBeNull()
      }))
  })
})
