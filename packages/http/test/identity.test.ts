import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { ADMIN_KEY, type Answer, call, channel, createDistributor, createKey, createPartner, expectData, expectError, TestServer } from "./harness"

describe("identity", () => {
  it.layer(TestServer)("accounts and keys", (it) => {
    it.effect("GET /me tells the platform admin who it is", () =>
      Effect.gen(function* () {
        const me = expectData(yield* call("GET", "/api/v1/me"))
        expect(me).toMatchObject({ account_kind: "platform", role: "admin" })
        expect(me.api_key_id).toMatch(/^key_/)
      }))

    it.effect("distributors: create, read, update, list and delete", () =>
      Effect.gen(function* () {
        const created = yield* createDistributor("Northwind Distribution")
        expect(created).toMatchObject({ name: "Northwind Distribution", status: "active" })
        expect(created.id).toMatch(/^acc_/)
        expect(created.created_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/)
        const read = expectData(yield* call("GET", `/api/v1/distributors/${created.id}`))
        expect(read).toEqual(created)
        const updated = expectData(yield* call("PUT", `/api/v1/distributors/${created.id}`, { body: { name: "Northwind" } }))
        expect(updated).toMatchObject({ id: created.id, name: "Northwind", status: "active" })
        const listed = expectData(yield* call("GET", "/api/v1/distributors?limit=200"))
        expect(listed.map((d: { id: string }) => d.id)).toContain(created.id)
        const deleted = yield* call("DELETE", `/api/v1/distributors/${created.id}`)
        expect(deleted.status).toBe(204)
        expect(deleted.text).toBe("")
        expect((yield* call("GET", `/api/v1/distributors/${created.id}`)).status).toBe(404)
      }))

    it.effect("a distributor with partners cannot be deleted (409 invalid_state)", () =>
      Effect.gen(function* () {
        const { distributor } = yield* channel()
        const answer = yield* call("DELETE", `/api/v1/distributors/${distributor.id}`)
        expect(answer.status).toBe(409)
        expect(answer.body.error.code).toBe("invalid_state")
        expect((yield* call("GET", `/api/v1/distributors/${distributor.id}`)).status).toBe(200)
      }))

    it.effect("partners: a platform admin names the distributor, a distributor creates under itself", () =>
      Effect.gen(function* () {
        const distributor = yield* createDistributor()
        const missing = yield* call("POST", "/api/v1/partners", { body: { name: "No parent" } })
        expect(missing.status).toBe(422)
        expect(missing.body.error.field).toBe("distributor_id")
        const byPlatform = yield* createPartner(distributor.id, "free")
        expect(byPlatform).toMatchObject({ distributor_id: distributor.id, edition: "free", status: "active" })
        const distributorKey = yield* createKey(distributor.id)
        const own = expectData(
          yield* call("POST", "/api/v1/partners", { key: distributorKey, body: { name: "Own partner" } }),
          201
        )
        expect(own).toMatchObject({ distributor_id: distributor.id, edition: "standard" })
        const updated = expectData(
          yield* call("PUT", `/api/v1/partners/${own.id}`, { key: distributorKey, body: { edition: "free" } })
        )
        expect(updated.edition).toBe("free")
      }))

    it.effect("a PUT takes a partner's distributor_id, and an account's id, only as they are", () =>
      Effect.gen(function* () {
        const { distributor, partner } = yield* channel()
        const other = yield* createDistributor()
        // Read and sent back whole: taken.
        const { updated_at: _sentBack, ...whole } = expectData(yield* call("GET", `/api/v1/partners/${partner.id}`))
        expect(expectData(yield* call("PUT", `/api/v1/partners/${partner.id}`, { body: { ...whole, name: "Renamed" } })))
          .toMatchObject({ name: "Renamed", distributor_id: distributor.id })
        // Another distributor is 422 naming distributor_id, never a 200 that moved nothing.
        const moved = yield* call("PUT", `/api/v1/partners/${partner.id}`, { body: { distributor_id: other.id } })
        expect(moved.status).toBe(422)
        expect(moved.body.error).toMatchObject({ code: "validation_error", field: "distributor_id" })
        expect(moved.body.error.message).toMatch(/stays under the distributor/)
        const renamed = yield* call("PUT", `/api/v1/distributors/${other.id}`, { body: { id: distributor.id, name: "X" } })
        expect(renamed.status).toBe(422)
        expect(renamed.body.error).toMatchObject({ code: "validation_error", field: "id", message: "cannot be changed" })
        expect(expectData(yield* call("GET", `/api/v1/partners/${partner.id}`)).distributor_id).toBe(distributor.id)
        expect(expectData(yield* call("GET", `/api/v1/distributors/${other.id}`)).name).toBe(other.name)
      }))

    it.effect("a partner may not change its own edition", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel("free")
        const answer = yield* call("PUT", `/api/v1/partners/${partner.id}`, { key: partnerKey, body: { edition: "standard" } })
        expect(answer.status).toBe(403)
        expect(expectData(yield* call("GET", `/api/v1/partners/${partner.id}`)).edition).toBe("free")
        // Its own record read and sent back whole (edition and status as they are) is taken: only its name changes.
        const { updated_at: _sentBack, ...whole } = expectData(yield* call("GET", `/api/v1/partners/${partner.id}`, { key: partnerKey }))
        expect(expectData(yield* call("PUT", `/api/v1/partners/${partner.id}`, { key: partnerKey, body: { ...whole, name: "Own name" } })))
          .toMatchObject({ name: "Own name", edition: "free", status: "active" })
        expect((yield* call("PUT", `/api/v1/partners/${partner.id}`, { key: partnerKey, body: { ...whole, status: "suspended" } })).status).toBe(403)
      }))

    it.effect("scope: a distributor sees its own partners only; others are 404", () =>
      Effect.gen(function* () {
        const a = yield* channel()
        const b = yield* channel()
        const listed = expectData(yield* call("GET", "/api/v1/partners", { key: a.distributorKey }))
        expect(listed.map((p: { id: string }) => p.id)).toEqual([a.partner.id])
        const foreign = yield* call("GET", `/api/v1/partners/${b.partner.id}`, { key: a.distributorKey })
        expect(foreign.status).toBe(404)
        expect(foreign.body.error.code).toBe("not_found")
        expect((yield* call("PUT", `/api/v1/partners/${b.partner.id}`, { key: a.distributorKey, body: { name: "x" } })).status).toBe(404)
        expect((yield* call("DELETE", `/api/v1/partners/${b.partner.id}`, { key: a.distributorKey })).status).toBe(404)
        expect((yield* call("GET", `/api/v1/distributors/${b.distributor.id}`, { key: a.partnerKey })).status).toBe(404)
        expect(expectData(yield* call("GET", "/api/v1/distributors", { key: a.partnerKey }))).toEqual([])
      }))

    it.effect("only platform admins create distributors (403 otherwise)", () =>
      Effect.gen(function* () {
        const { distributorKey, partnerKey } = yield* channel()
        expect((yield* call("POST", "/api/v1/distributors", { key: distributorKey, body: { name: "x" } })).status).toBe(403)
        expect((yield* call("POST", "/api/v1/distributors", { key: partnerKey, body: { name: "x" } })).status).toBe(403)
      }))

    it.effect("API keys: the secret is shown once, works as a bearer token, and stops working when deleted", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const created = expectData(
          yield* call("POST", "/api/v1/api-keys", { body: { account_id: partner.id, role: "viewer", name: "reporting" } }),
          201
        )
        expect(created.secret).toMatch(/^pvo_/)
        expect(created).toMatchObject({ account_id: partner.id, role: "viewer", name: "reporting" })
        expect(created.secret.startsWith(created.prefix)).toBe(true)
        const listed = expectData(yield* call("GET", "/api/v1/api-keys?limit=200"))
        const entry = listed.find((k: { id: string }) => k.id === created.id)
        expect(entry).toBeDefined()
        expect(entry.secret).toBeUndefined()
        const me = expectData(yield* call("GET", "/api/v1/me", { key: created.secret }))
        expect(me).toMatchObject({ account_id: partner.id, account_kind: "partner", role: "viewer", api_key_id: created.id })
        const used = expectData(yield* call("GET", "/api/v1/api-keys?limit=200")).find((k: { id: string }) => k.id === created.id)
        expect(used.last_used_at).not.toBeNull()
        expect((yield* call("DELETE", `/api/v1/api-keys/${created.id}`)).status).toBe(204)
        expect((yield* call("GET", "/api/v1/me", { key: created.secret })).status).toBe(401)
      }))

    it.effect("viewers read but do not write; keys are managed by admins", () =>
      Effect.gen(function* () {
        const { distributor } = yield* channel()
        const viewer = yield* createKey(distributor.id, "viewer")
        expect((yield* call("GET", "/api/v1/partners", { key: viewer })).status).toBe(200)
        const write = yield* call("POST", "/api/v1/partners", { key: viewer, body: { name: "x" } })
        expect(write.status).toBe(403)
        expect(write.body.error.code).toBe("forbidden")
        expect((yield* call("POST", "/api/v1/api-keys", { key: viewer, body: { role: "admin" } })).status).toBe(403)
      }))

    it.effect("a key cannot be made for an account outside the caller's scope", () =>
      Effect.gen(function* () {
        const a = yield* channel()
        const b = yield* channel()
        const answer = yield* call("POST", "/api/v1/api-keys", { key: a.distributorKey, body: { account_id: b.partner.id, role: "admin" } })
        expect(answer.status).toBe(422)
        expect(answer.body.error.field).toBe("account_id")
      }))

    it.effect("lists page with opaque cursors until next_cursor is null", () =>
      Effect.gen(function* () {
        const distributor = yield* createDistributor()
        const key = yield* createKey(distributor.id)
        const made: Array<string> = []
        for (let i = 0; i < 5; i++) made.push((yield* createPartner(distributor.id, "standard", `P${i}`)).id)
        const seen: Array<string> = []
        let cursor: string | null = null
        let pages = 0
        do {
          const answer: Answer = yield* call("GET", `/api/v1/partners?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { key })
          const data = expectData(answer)
          expect(answer.body.meta.page.limit).toBe(2)
          seen.push(...data.map((p: { id: string }) => p.id))
          cursor = answer.body.meta.page.next_cursor
          pages++
        } while (cursor !== null && pages < 10)
        expect(pages).toBe(3)
        expect(seen).toEqual(made)
      }))

    it.effect("X-Tenant-ID narrows a request to a descendant; anything else is 404", () =>
      Effect.gen(function* () {
        const a = yield* channel()
        const b = yield* channel()
        const asPartner = expectData(yield* call("GET", "/api/v1/me", { headers: { "x-tenant-id": a.partner.id } }))
        expect(asPartner).toMatchObject({ account_id: a.partner.id, account_kind: "partner", role: "admin" })
        const partners = expectData(
          yield* call("GET", "/api/v1/partners", { key: a.distributorKey, headers: { "x-tenant-id": a.partner.id } })
        )
        expect(partners.map((p: { id: string }) => p.id)).toEqual([a.partner.id])
        const foreign = yield* call("GET", "/api/v1/me", { key: a.distributorKey, headers: { "x-tenant-id": b.partner.id } })
        // The header is named as the field to blame, as a path parameter is on its 404.
        expectError(foreign, 404, "not_found", "X-Tenant-ID")
        const upward = yield* call("GET", "/api/v1/me", { key: a.partnerKey, headers: { "x-tenant-id": a.distributor.id } })
        expectError(upward, 404, "not_found", "X-Tenant-ID")
        const unknown = yield* call("GET", "/api/v1/customers", { key: a.distributorKey, headers: { "x-tenant-id": "cus_0123456789" } })
        expectError(unknown, 404, "not_found", "X-Tenant-ID")
        const malformed = yield* call("GET", "/api/v1/me", { key: a.distributorKey, headers: { "x-tenant-id": "hello" } })
        expectError(malformed, 404, "not_found", "X-Tenant-ID")
      }))

    it.effect("the bootstrap key stays valid", () =>
      Effect.gen(function* () {
        expect((yield* call("GET", "/api/v1/me", { key: ADMIN_KEY })).status).toBe(200)
      }))
  })
})
