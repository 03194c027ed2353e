import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  call,
  channel,
  createKey,
  createUser,
  expectData,
  login,
  signIn,
  TEST_PASSWORD,
  TestServer,
  uniqueEmail
} from "./harness"

const ids = (items: ReadonlyArray<{ readonly id: string }>) => items.map((item) => item.id)

describe("users", () => {
  it.layer(TestServer)("users and roles", (it) => {
    it.effect("create, read, update, list and delete a user; no password in any answer", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const email = uniqueEmail("ann")
        const created = expectData(
          yield* call("POST", "/api/v1/users", {
            body: { account_id: partner.id, email, name: "Ann", role: "manager", password: TEST_PASSWORD }
          }),
          201
        )
        expect(created).toMatchObject({ account_id: partner.id, email, name: "Ann", role: "manager", status: "active" })
        expect(created.id).toMatch(/^usr_/)
        expect(Object.keys(created).sort()).toEqual(
          ["account_id", "created_at", "email", "id", "name", "role", "status", "updated_at"]
        )

        const read = expectData(yield* call("GET", `/api/v1/users/${created.id}`))
        expect(read).toEqual(created)

        const updated = expectData(
          yield* call("PUT", `/api/v1/users/${created.id}`, { body: { name: "Ann B.", role: "viewer" } })
        )
        expect(updated).toMatchObject({ id: created.id, name: "Ann B.", role: "viewer", email, status: "active" })

        const listed = yield* call("GET", "/api/v1/users?limit=200")
        expect(ids(expectData(listed))).toContain(created.id)
        expect(listed.text).not.toContain("password")

        const deleted = yield* call("DELETE", `/api/v1/users/${created.id}`)
        expect(deleted.status).toBe(204)
        expect((yield* call("GET", `/api/v1/users/${created.id}`)).status).toBe(404)
      }))

    it.effect("emails are unique whatever their case (409 duplicate_user)", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const again = yield* call("POST", "/api/v1/users", {
          body: { account_id: partner.id, email: user.email.toUpperCase(), name: "Twin", role: "viewer" }
        })
        expect(again.status).toBe(409)
        expect(again.body.error).toMatchObject({ code: "duplicate_user", field: "email" })
        const other = yield* createUser(partner.id)
        const renamed = yield* call("PUT", `/api/v1/users/${other.id}`, { body: { email: user.email } })
        expect(renamed.status).toBe(409)
        expect(renamed.body.error.code).toBe("duplicate_user")
      }))

    it.effect("an email typed decomposed (e + U+0308) is the same address as the composed one: 409, and it signs in", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const composed = uniqueEmail("zo\u00eb")
        const decomposed = composed.normalize("NFD")
        expect(decomposed).not.toBe(composed)
        const created = expectData(yield* call("POST", "/api/v1/users", {
          body: { account_id: partner.id, email: decomposed, name: "Zoe", role: "viewer", password: TEST_PASSWORD }
        }), 201)
        expect(created.email).toBe(composed)
        const twin = yield* call("POST", "/api/v1/users", { body: { account_id: partner.id, email: composed, name: "Twin", role: "admin" } })
        expect(twin.body.error).toMatchObject({ code: "duplicate_user", field: "email" })
        // Either spelling signs the one user in.
        for (const email of [composed, decomposed]) {
          expect((yield* login(email)).status, email).toBe(200)
        }
      }))

    it.effect("inputs are validated: email, role, password length (422 naming the field)", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const cases = [
          [{ account_id: partner.id, email: "not-an-email", name: "X", role: "admin" }, "email"],
          [{ account_id: partner.id, email: uniqueEmail(), name: "X", role: "owner" }, "role"],
          [{ account_id: partner.id, email: uniqueEmail(), name: "X", role: "admin", password: "short" }, "password"],
          [{ account_id: partner.id, email: uniqueEmail(), name: "", role: "admin" }, "name"]
        ] as const
        for (const [body, field] of cases) {
          const answer = yield* call("POST", "/api/v1/users", { body })
          expect(answer.status, field).toBe(422)
          expect(answer.body.error).toMatchObject({ code: "validation_error", field })
        }
      }))

    it.effect("an admin creates users in its own account by default, and in accounts below it", () =>
      Effect.gen(function* () {
        const { distributor, distributorKey, partner } = yield* channel()
        const own = expectData(
          yield* call("POST", "/api/v1/users", {
            key: distributorKey,
            body: { email: uniqueEmail(), name: "Own", role: "viewer" }
          }),
          201
        )
        expect(own.account_id).toBe(distributor.id)
        const below = yield* createUser(partner.id, "manager", { key: distributorKey })
        expect(below.account_id).toBe(partner.id)
        const listed = ids(expectData(yield* call("GET", "/api/v1/users", { key: distributorKey })))
        expect(listed).toEqual([own.id, below.id])
      }))

    it.effect("a PUT takes a user's account_id and id only as they are: a user does not move", () =>
      Effect.gen(function* () {
        const { distributor, distributorKey, partner } = yield* channel()
        const user = yield* createUser(partner.id, "manager", { key: distributorKey })
        // Read and sent back whole: taken.
        const { updated_at: _sentBack, ...whole } = expectData(yield* call("GET", `/api/v1/users/${user.id}`, { key: distributorKey }))
        expect(expectData(yield* call("PUT", `/api/v1/users/${user.id}`, { key: distributorKey, body: { ...whole, name: "Renamed" } })))
          .toMatchObject({ name: "Renamed", account_id: partner.id })
        // Another account is 422 naming account_id, never a 200 that moved nothing.
        const moved = yield* call("PUT", `/api/v1/users/${user.id}`, { key: distributorKey, body: { account_id: distributor.id } })
        expect(moved.status).toBe(422)
        expect(moved.body.error).toMatchObject({ code: "validation_error", field: "account_id" })
        expect(moved.body.error.message).toMatch(/stays in its account/)
        const renumbered = yield* call("PUT", `/api/v1/users/${user.id}`, { key: distributorKey, body: { id: "usr_0123" } })
        expect(renumbered.body.error).toMatchObject({ code: "validation_error", field: "id" })
        expect(expectData(yield* call("GET", `/api/v1/users/${user.id}`, { key: distributorKey })).account_id).toBe(partner.id)
      }))

    it.effect("scope: another partner's user is 404, and its account is not the caller's to use", () =>
      Effect.gen(function* () {
        const a = yield* channel()
        const b = yield* channel()
        const mine = yield* createUser(a.partner.id)
        const theirs = yield* createUser(b.partner.id)
        const key = a.partnerKey
        for (
          const answer of [
            yield* call("GET", `/api/v1/users/${theirs.id}`, { key }),
            yield* call("PUT", `/api/v1/users/${theirs.id}`, { key, body: { name: "x" } }),
            yield* call("DELETE", `/api/v1/users/${theirs.id}`, { key }),
            yield* call("PUT", `/api/v1/roles/${theirs.id}`, { key, body: { role: "viewer" } })
          ]
        ) {
          expect(answer.status).toBe(404)
          expect(answer.body.error.code).toBe("not_found")
        }
        expect(ids(expectData(yield* call("GET", "/api/v1/users", { key })))).toEqual([mine.id])
        const foreignAccount = yield* call("POST", "/api/v1/users", {
          key,
          body: { account_id: b.partner.id, email: uniqueEmail(), name: "x", role: "admin" }
        })
        expect(foreignAccount.status).toBe(422)
        expect(foreignAccount.body.error.field).toBe("account_id")
        // A user above the caller is out of its scope too.
        const upper = yield* createUser(a.distributor.id)
        expect((yield* call("GET", `/api/v1/users/${upper.id}`, { key })).status).toBe(404)
        expect(expectData(yield* call("GET", `/api/v1/users/${theirs.id}`)).id).toBe(theirs.id)
      }))

    it.effect("users are managed by admins: managers and viewers get 403", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id, "viewer")
        for (const role of ["manager", "viewer"] as const) {
          const key = yield* createKey(partner.id, role)
          expect((yield* call("GET", "/api/v1/users", { key })).status).toBe(403)
          expect((yield* call("GET", `/api/v1/users/${user.id}`, { key })).status).toBe(403)
          expect((yield* call("POST", "/api/v1/users", { key, body: { email: uniqueEmail(), name: "x", role: "admin" } })).status)
            .toBe(403)
          expect((yield* call("PUT", `/api/v1/roles/${user.id}`, { key, body: { role: "admin" } })).status).toBe(403)
          expect((yield* call("DELETE", `/api/v1/users/${user.id}`, { key })).status).toBe(403)
        }
      }))

    it.effect("GET /roles lists the catalogue with what each role may do", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const viewer = yield* createKey(partner.id, "viewer")
        const answer = yield* call("GET", "/api/v1/roles", { key: viewer })
        const roles = expectData(answer)
        expect(roles.map((r: { name: string }) => r.name)).toEqual(["admin", "manager", "viewer"])
        for (const role of roles) {
          expect(role.description.length).toBeGreaterThan(0)
          expect(role.permissions).toContain("read")
        }
        expect(roles[0].permissions).toContain("manage_users")
        expect(roles[2].permissions).toEqual(["read"])
        expect(answer.body.meta.page).toEqual({ limit: 50, next_cursor: null })
        // Paged like every list: ?limit= is honoured and the cursor goes on where the page ended.
        const first = yield* call("GET", "/api/v1/roles?limit=2", { key: viewer })
        expect(expectData(first).map((r: { name: string }) => r.name)).toEqual(["admin", "manager"])
        expect(first.body.meta.page.limit).toBe(2)
        const rest = yield* call("GET", `/api/v1/roles?limit=2&cursor=${first.body.meta.page.next_cursor}`, { key: viewer })
        expect(expectData(rest).map((r: { name: string }) => r.name)).toEqual(["viewer"])
        expect(rest.body.meta.page).toEqual({ limit: 2, next_cursor: null })
        expect((yield* call("GET", "/api/v1/roles?limit=0", { key: viewer })).body.error).toMatchObject({ code: "validation_error", field: "limit" })
        expect((yield* call("GET", "/api/v1/roles?cursor=cm9sZV9ib3Nz", { key: viewer })).body.error).toMatchObject({ code: "validation_error", field: "cursor" })
      }))

    it.effect("PUT /roles/{userId} assigns a role, which the user's next request acts with", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id, "manager")
        const tokens = yield* signIn(user.email)
        expect(expectData(yield* call("GET", "/api/v1/me", { key: tokens.access_token })).role).toBe("manager")
        const changed = expectData(yield* call("PUT", `/api/v1/roles/${user.id}`, { body: { role: "viewer" } }))
        expect(changed).toMatchObject({ id: user.id, role: "viewer" })
        expect(expectData(yield* call("GET", `/api/v1/users/${user.id}`)).role).toBe("viewer")
        expect(expectData(yield* call("GET", "/api/v1/me", { key: tokens.access_token })).role).toBe("viewer")
        const invalid = yield* call("PUT", `/api/v1/roles/${user.id}`, { body: { role: "owner" } })
        expect(invalid.status).toBe(422)
        expect(invalid.body.error.field).toBe("role")
        expect((yield* call("PUT", "/api/v1/roles/usr_missing", { body: { role: "viewer" } })).status).toBe(404)
      }))

    it.effect("a user changes its own name and password, not its role; an admin cannot demote or delete itself", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const manager = yield* createUser(partner.id, "manager")
        const tokens = yield* signIn(manager.email)
        const key = tokens.access_token
        expect(expectData(yield* call("GET", `/api/v1/users/${manager.id}`, { key })).id).toBe(manager.id)
        expect(expectData(yield* call("PUT", `/api/v1/users/${manager.id}`, { key, body: { name: "Me" } })).name).toBe("Me")
        // Its own record read and sent back whole (email, role and status as they are) is taken.
        const { updated_at: _sentBack, ...whole } = expectData(yield* call("GET", `/api/v1/users/${manager.id}`, { key }))
        expect(expectData(yield* call("PUT", `/api/v1/users/${manager.id}`, { key, body: { ...whole, name: "Me again" } })).name)
          .toBe("Me again")
        expect((yield* call("PUT", `/api/v1/users/${manager.id}`, { key, body: { ...whole, email: uniqueEmail() } })).status).toBe(403)
        expect((yield* call("PUT", `/api/v1/users/${manager.id}`, { key, body: { role: "admin" } })).status).toBe(403)
        expect((yield* call("PUT", `/api/v1/users/${manager.id}`, { key, body: { password: "a new password" } })).status)
          .toBe(200)
        expect((yield* login(manager.email, TEST_PASSWORD)).status).toBe(401)
        expect((yield* login(manager.email, "a new password")).status).toBe(200)

        const admin = yield* createUser(partner.id, "admin")
        const adminKey = (yield* signIn(admin.email)).access_token
        expect((yield* call("PUT", `/api/v1/roles/${admin.id}`, { key: adminKey, body: { role: "viewer" } })).status).toBe(403)
        expect((yield* call("PUT", `/api/v1/users/${admin.id}`, { key: adminKey, body: { status: "disabled" } })).status)
          .toBe(403)
        expect((yield* call("DELETE", `/api/v1/users/${admin.id}`, { key: adminKey })).status).toBe(403)
        // Another admin may.
        expect((yield* call("PUT", `/api/v1/roles/${manager.id}`, { key: adminKey, body: { role: "viewer" } })).status)
          .toBe(200)
      }))

    it.effect("a user made without a password cannot sign in with one", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id, "admin", { password: null })
        expect((yield* login(user.email, TEST_PASSWORD)).status).toBe(401)
        expect((yield* login(user.email, "")).status).toBe(422)
      }))

    it.effect("customer admins: onboarded for a customer in scope, they sign in and see only that customer", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = expectData(
          yield* call("POST", "/api/v1/customers", { key: partnerKey, body: { name: "Acme" } }),
          201
        )
        const sibling = expectData(
          yield* call("POST", "/api/v1/customers", { key: partnerKey, body: { name: "Globex" } }),
          201
        )
        const email = uniqueEmail("tenant.admin")
        const admin = expectData(
          yield* call("POST", `/api/v1/customers/${customer.id}/admins`, {
            key: partnerKey,
            body: { email, name: "Tenant Admin", password: TEST_PASSWORD }
          }),
          201
        )
        expect(admin).toMatchObject({ account_id: customer.id, email, role: "admin", status: "active" })
        // Always an admin of the customer in the path: another role or account is 422 naming it, not dropped unseen.
        for (const [field, value] of [["role", "viewer"], ["account_id", sibling.id]]) {
          const refused = yield* call("POST", `/api/v1/customers/${customer.id}/admins`, {
            key: partnerKey,
            body: { email: uniqueEmail(), name: "Not made", [field]: value }
          })
          expect(refused.status).toBe(422)
          expect(refused.body.error).toMatchObject({ code: "validation_error", field })
        }
        expectData(yield* call("POST", `/api/v1/customers/${sibling.id}/admins`, {
          key: partnerKey,
          body: { email: uniqueEmail(), name: "Said so", role: "admin", account_id: sibling.id }
        }), 201)

        const tokens = yield* signIn(email)
        const key = tokens.access_token
        expect(expectData(yield* call("GET", "/api/v1/me", { key }))).toEqual({
          account_id: customer.id,
          account_kind: "customer",
          role: "admin",
          user_id: admin.id
        })
        expect(ids(expectData(yield* call("GET", "/api/v1/customers", { key })))).toEqual([customer.id])
        expect((yield* call("GET", `/api/v1/customers/${sibling.id}`, { key })).status).toBe(404)
        // It manages the users of its own customer, and only those.
        const colleague = yield* createUser(customer.id, "viewer", { key })
        expect(colleague.account_id).toBe(customer.id)
        expect(ids(expectData(yield* call("GET", "/api/v1/users", { key })))).toEqual([admin.id, colleague.id])
        expect((yield* call("POST", `/api/v1/customers/${sibling.id}/admins`, { key, body: { email: uniqueEmail(), name: "x" } })).status)
          .toBe(404)
      }))

    it.effect("customer admins: a customer out of scope or missing is 404; a viewer may not onboard", () =>
      Effect.gen(function* () {
        const a = yield* channel()
        const b = yield* channel()
        const customer = expectData(
          yield* call("POST", "/api/v1/customers", { key: a.partnerKey, body: { name: "Acme" } }),
          201
        )
        const body = { email: uniqueEmail(), name: "x" }
        expect((yield* call("POST", `/api/v1/customers/${customer.id}/admins`, { key: b.partnerKey, body })).status).toBe(404)
        expect((yield* call("POST", "/api/v1/customers/cus_missing/admins", { body })).status).toBe(404)
        // A partner id is not a customer.
        expect((yield* call("POST", `/api/v1/customers/${a.partner.id}/admins`, { body })).status).toBe(404)
        const viewer = yield* createKey(a.partner.id, "viewer")
        expect((yield* call("POST", `/api/v1/customers/${customer.id}/admins`, { key: viewer, body })).status).toBe(403)
        // Without a password the admin is made for federated sign-in.
        const federated = expectData(yield* call("POST", `/api/v1/customers/${customer.id}/admins`, { body }), 201)
        expect(federated.role).toBe("admin")
      }))

    it.effect("deleting a customer removes its users", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = expectData(
          yield* call("POST", "/api/v1/customers", { key: partnerKey, body: { name: "Short-lived" } }),
          201
        )
        const email = uniqueEmail()
        const admin = expectData(
          yield* call("POST", `/api/v1/customers/${customer.id}/admins`, {
            key: partnerKey,
            body: { email, name: "x", password: TEST_PASSWORD }
          }),
          201
        )
        expect((yield* call("DELETE", `/api/v1/customers/${customer.id}`, { key: partnerKey })).status).toBe(204)
        expect((yield* call("GET", `/api/v1/users/${admin.id}`)).status).toBe(404)
        expect((yield* login(email)).status).toBe(401)
      }))
  })
})
