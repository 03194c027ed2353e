import { describe, expect, it } from "vitest"
import { nonConformance } from "./conformance"

/** The check every suite's answers go through (harness `call`), shown on answers that differ. */
describe("answers held to the document", () => {
  const meta = { request_id: "req_1", api_version: "v1" }
  const customer = {
    id: "cus_01",
    partner_id: "acc_01",
    external_id: null,
    name: "Acme",
    email: null,
    phone: null,
    status: "active",
    timezone: "UTC",
    currency: null,
    address: null,
    metadata: {},
    collection_method: "send_invoice",
    payment_terms_days: 14,
    dunning: "active",
    dunning_stage: null,
    language: "en",
    tax_id: null,
    tax_exempt: "none",
    e_invoicing: false,
    created_at: "2026-12-06T10:00:00.000Z",
    updated_at: "2026-12-06T10:00:00.000Z"
  }
  const received = (status: number, body: unknown, path = "/api/v1/customers/cus_01") => ({
    method: "GET",
    path,
    status,
    contentType: "application/json",
    body
  })

  it("passes an answer as documented", () => {
    expect(nonConformance(received(200, { success: true, data: customer, meta }))).toBeUndefined()
  })

  it("fails a body without a documented field, with a field the document does not have, or of the wrong type", () => {
    const { name: _, ...nameless } = customer
    expect(nonConformance(received(200, { success: true, data: nameless, meta })))
      .toMatch(/GET \/api\/v1\/customers\/\{customerId\} 200: the body differs from the document: .*name/)
    expect(nonConformance(received(200, { success: true, data: { ...customer, extra: 1 }, meta })))
      .toMatch(/must NOT have additional properties/)
    expect(nonConformance(received(200, { success: true, data: { ...customer, created_at: "yesterday" }, meta })))
      .toMatch(/created_at must match format "date-time"/)
    // The bare resource, as the document once described it, is not what is sent.
    expect(nonConformance(received(200, customer))).toMatch(/the body differs/)
  })

  it("fails a status the operation does not document, and an error body that is not the envelope", () => {
    expect(nonConformance(received(418, { success: false }))).toMatch(/418: the status is not documented/)
    expect(nonConformance(received(404, { error: "not found" }))).toMatch(/404: the body differs/)
  })

  it("leaves alone what the document does not describe", () => {
    expect(nonConformance(received(404, "no", "/no/such/route"))).toBeUndefined()
  })
})
