import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import { describe, expect, it } from "vitest"
import {
  plannedCall,
  provisioningBody,
  provisioningCall,
  readConfiguration,
  RESOURCE_KINDS
} from "../../src/provisioning/calls"

const BASE = "https://provider.example/provisio"

describe("provisioning calls (API.md, Outbound push)", () => {
  it("builds the method and URL of every action on every endpoint", () => {
    const ids = { subscriptions: "sub_1", networks: "net_1", ssids: "ssid_1", devices: "dev_1" } as const
    for (const kind of RESOURCE_KINDS) {
      const id = ids[kind]
      expect(provisioningCall({ action: "CREATE", kind, id, base_url: BASE })).toEqual({ method: "POST", url: `${BASE}/${kind}` })
      expect(provisioningCall({ action: "UPDATE", kind, id, base_url: BASE })).toEqual({ method: "PUT", url: `${BASE}/${kind}/${id}` })
      expect(provisioningCall({ action: "DELETE", kind, id, base_url: BASE })).toEqual({ method: "DELETE", url: `${BASE}/${kind}/${id}` })
    }
  })

  it("tolerates a trailing slash on the base and escapes the id", () => {
    expect(provisioningCall({ action: "UPDATE", kind: "devices", id: "dev_1", base_url: `${BASE}/` }).url)
      .toBe(`${BASE}/devices/dev_1`)
    expect(provisioningCall({ action: "DELETE", kind: "ssids", id: "a/b?c", base_url: BASE }).url)
      .toBe(`${BASE}/ssids/a%2Fb%3Fc`)
  })

  it("makes no call for an endpoint the target does not implement", () => {
    const target = { base_url: BASE, endpoints: ["subscriptions", "devices"] as const }
    expect(Option.isNone(plannedCall(target, { action: "CREATE", kind: "networks", id: "net_1" }))).toBe(true)
    expect(plannedCall(target, { action: "CREATE", kind: "devices", id: "dev_1" }))
      .toEqual(Option.some({ method: "POST", url: `${BASE}/devices` }))
  })

  it("writes the body as { event_id, action, occurred_at, <resource> }", () => {
    const occurred_at = DateTime.unsafeMake("2026-11-23T10:00:00.000Z")
    const resource = { id: "sub_1", quantity: 3 }
    const body = provisioningBody({ event_id: "evt_1", action: "CREATE", occurred_at, kind: "subscriptions", resource })
    expect(body).toBe(
      "{\"event_id\":\"evt_1\",\"action\":\"CREATE\",\"occurred_at\":\"2026-11-23T10:00:00.000Z\",\"subscription\":{\"id\":\"sub_1\",\"quantity\":3}}"
    )
    const keys = RESOURCE_KINDS.map((kind) =>
      Object.keys(JSON.parse(provisioningBody({ event_id: "e", action: "DELETE", occurred_at, kind, resource: {} })))[3])
    expect(keys).toEqual(["subscription", "network", "ssid", "device"])
  })

  it("reads a configuration from a JSON answer, anything else is an acknowledgement", () => {
    expect(readConfiguration("{\"configuration\":{\"sip_server\":\"sip.example\"}}")).toEqual({ sip_server: "sip.example" })
    expect(readConfiguration("  {\"status\":\"ok\",\"configuration\":{}} ")).toEqual({})
    for (const body of ["", "ok", "{\"status\":\"ok\"}", "{\"configuration\":null}", "{\"configuration\":[1]}", "{\"configuration\":\"x\"}", "{broken", "[{\"configuration\":{}}]"]) {
      expect(readConfiguration(body), body).toBeNull()
    }
  })
})
