import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { type Answer, callAndTick as call, channel, createKey, createPartner, expectData, expectError, TestServer } from "./harness"


const CUSTOMERS = "/api/v1/customers"

/** A customer created with the given key (a partner's: it creates under itself). */
const createCustomer = (key: string, body: Record<string, unknown> = {}) =>
  Effect.map(call("POST", CUSTOMERS, { key, body: { name: "Acme GmbH", ...body } }), (a) => expectData(a, 201))

/** A new API key for a customer, created by the platform admin. */
const customerKey = (customerId: string, role: "admin" | "manager" | "viewer" = "admin") => createKey(customerId, role)

/** Every id of a list, following `next_cursor` with the given page size. */
const collect = (path: string, key: string, limit: number) =>
  Effect.gen(function* () {
    const seen: Array<string> = []
    let cursor: string | null = null
    let pages = 0
    do {
      const separator = path.includes("?") ? "&" : "?"
      const answer: Answer = yield* call(
        "GET",
        `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { key }
      )
      const data = expectData(answer)
      expect(answer.body.meta.page.limit).toBe(limit)
      expect(data.length).toBeLessThanOrEqual(limit)
      seen.push(...data.map((r: { id: string }) => r.id))
      cursor = answer.body.meta.page.next_cursor
      pages++
    } while (cursor !== null && pages < 20)
    return { seen, pages }
  })

const ids = (records: ReadonlyArray<{ readonly id: string }>) => records.map((r) => r.id)

/** DELETE answers 204 with no body; then the record is gone and the list holds only `remaining`. */
const expectDeleted = (base: string, id: string, key: string, remaining: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const deleted = yield* call("DELETE", `${base}/${id}`, { key })
    expect(deleted.status).toBe(204)
    expect(deleted.text).toBe("")
    expectError(yield* call("GET", `${base}/${id}`, { key }), 404, "not_found")
    expect(ids(expectData(yield* call("GET", base, { key })))).toEqual(remaining)
  })

describe("customers", () => {
  it.layer(TestServer)("customers", (it) => {
    it.effect("a partner creates a customer under itself, with defaults filled in", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const created = yield* createCustomer(partnerKey, {
          name: "Acme GmbH",
          external_id: "crm-1",
          email: "ops@acme.example",
          phone: "+49 30 1234567",
          currency: "EUR",
          timezone: "Europe/Berlin",
          address: { line1: "Hauptstr. 1", city: "Berlin", postal_code: "10115", country: "DE" },
          metadata: { tier: "gold", seats: 3 }
        })
        expect(created.id).toMatch(/^cus_/)
        expect(created).toMatchObject({
          partner_id: partner.id,
          external_id: "crm-1",
          name: "Acme GmbH",
          email: "ops@acme.example",
          phone: "+49 30 1234567",
          status: "active",
          timezone: "Europe/Berlin",
          currency: "EUR",
          address: {
            line1: "Hauptstr. 1",
            line2: null,
            city: "Berlin",
            state: null,
            postal_code: "10115",
            country: "DE"
          },
          metadata: { tier: "gold", seats: 3 }
        })
        expect(created.created_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/)
        expect(created.updated_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/)

        const minimal = yield* createCustomer(partnerKey, { name: "Minimal" })
        expect(minimal).toMatchObject({
          partner_id: partner.id,
          external_id: null,
          email: null,
          phone: null,
          status: "active",
          timezone: "UTC",
          currency: null,
          address: null,
          metadata: {}
        })
      }))

    it.effect("the platform admin names partner_id; without it the answer is 422 naming partner_id", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const missing = yield* call("POST", CUSTOMERS, { body: { name: "No partner" } })
        expectError(missing, 422, "validation_error", "partner_id")
        const created = expectData(
          yield* call("POST", CUSTOMERS, { body: { name: "By platform", partner_id: partner.id } }),
          201
        )
        expect(created).toMatchObject({ partner_id: partner.id, name: "By platform" })
        const read = expectData(yield* call("GET", `${CUSTOMERS}/${created.id}`))
        expect(read).toEqual(created)
      }))

    it.effect("get and list return what was created", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const a = yield* createCustomer(partnerKey, { name: "A" })
        const b = yield* createCustomer(partnerKey, { name: "B" })
        const read = expectData(yield* call("GET", `${CUSTOMERS}/${a.id}`, { key: partnerKey }))
        expect(read).toEqual(a)
        const listed = yield* call("GET", CUSTOMERS, { key: partnerKey })
        expect(expectData(listed)).toEqual([a, b])
        expect(listed.body.meta.page).toEqual({ limit: 50, next_cursor: null })
      }))

    it.effect("update is partial: only the fields sent change, null clears", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const created = yield* createCustomer(partnerKey, {
          name: "Before",
          email: "before@acme.example",
          phone: "+1 555 0100",
          currency: "USD",
          metadata: { a: 1 }
        })
        const renamed = expectData(
          yield* call("PUT", `${CUSTOMERS}/${created.id}`, { key: partnerKey, body: { name: "After" } })
        )
        expect(renamed).toEqual({ ...created, name: "After", updated_at: renamed.updated_at })
        expect(Date.parse(renamed.updated_at)).toBeGreaterThan(Date.parse(created.updated_at))

        const cleared = expectData(
          yield* call("PUT", `${CUSTOMERS}/${created.id}`, {
            key: partnerKey,
            body: { email: null, status: "suspended", timezone: "America/New_York" }
          })
        )
        expect(cleared).toMatchObject({
          name: "After",
          email: null,
          phone: "+1 555 0100",
          currency: "USD",
          status: "suspended",
          timezone: "America/New_York",
          metadata: { a: 1 },
          created_at: created.created_at
        })
        const read = expectData(yield* call("GET", `${CUSTOMERS}/${created.id}`, { key: partnerKey }))
        expect(read).toEqual(cleared)

        // What a PUT does not change is taken only as it is (a customer read and sent back whole),
        // never a 200 that changed nothing.
        const { updated_at: _sentBack, ...whole } = read
        expect(expectData(yield* call("PUT", `${CUSTOMERS}/${created.id}`, { key: partnerKey, body: whole })))
          .toMatchObject({ name: "After", dunning_stage: null, partner_id: read.partner_id })
        const other = yield* channel()
        for (const [field, value, message] of [
          ["dunning_stage", "suspend", /set by dunning/],
          ["partner_id", other.partner.id, /stays under the partner/],
          ["id", "cus_0123", /cannot be changed/],
          ["created_at", "2020-01-01T00:00:00.000Z", /cannot be changed/]
        ] as const) {
          const refused = yield* call("PUT", `${CUSTOMERS}/${created.id}`, { key: partnerKey, body: { name: "Never", [field]: value } })
          expectError(refused, 422, "validation_error", field)
          expect(refused.body.error.message).toMatch(message)
        }
        expect(expectData(yield* call("GET", `${CUSTOMERS}/${created.id}`, { key: partnerKey })).name).toBe("After")
      }))

    it.effect("delete answers 204, then the customer is 404 and its contacts are gone", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const contact = expectData(
          yield* call("POST", `${CUSTOMERS}/${customer.id}/contacts`, { key: partnerKey, body: { name: "Jane" } }),
          201
        )
        const deleted = yield* call("DELETE", `${CUSTOMERS}/${customer.id}`, { key: partnerKey })
        expect(deleted.status).toBe(204)
        expect(deleted.text).toBe("")
        expectError(yield* call("GET", `${CUSTOMERS}/${customer.id}`, { key: partnerKey }), 404, "not_found")
        expectError(yield* call("DELETE", `${CUSTOMERS}/${customer.id}`, { key: partnerKey }), 404, "not_found")
        // Even for the platform admin, who sees everything.
        expectError(yield* call("GET", `${CUSTOMERS}/${customer.id}`), 404, "not_found")
        expectError(yield* call("GET", `${CUSTOMERS}/${customer.id}/contacts/${contact.id}`), 404, "not_found")
        expectError(yield* call("GET", `${CUSTOMERS}/${customer.id}/contacts`), 404, "not_found")
        expect(expectData(yield* call("GET", CUSTOMERS, { key: partnerKey }))).toEqual([])
      }))

    it.effect("external_id is unique within a partner (409 duplicate_customer), not across partners", () =>
      Effect.gen(function* () {
        const a = yield* channel()
        const b = yield* channel()
        const first = yield* createCustomer(a.partnerKey, { name: "First", external_id: "ext-42" })
        const duplicate = yield* call("POST", CUSTOMERS, {
          key: a.partnerKey,
          body: { name: "Second", external_id: "ext-42" }
        })
        expectError(duplicate, 409, "duplicate_customer", "external_id")
        // The platform admin naming the same partner gets the same answer.
        expectError(
          yield* call("POST", CUSTOMERS, { body: { name: "Third", external_id: "ext-42", partner_id: a.partner.id } }),
          409,
          "duplicate_customer",
          "external_id"
        )
        const elsewhere = yield* createCustomer(b.partnerKey, { name: "Other partner", external_id: "ext-42" })
        expect(elsewhere).toMatchObject({ partner_id: b.partner.id, external_id: "ext-42" })

        // An update onto a taken external_id is a conflict too.
        const second = yield* createCustomer(a.partnerKey, { name: "Second", external_id: "ext-43" })
        const taken = yield* call("PUT", `${CUSTOMERS}/${second.id}`, {
          key: a.partnerKey,
          body: { external_id: "ext-42", name: "Renamed" }
        })
        expectError(taken, 409, "duplicate_customer", "external_id")
        expect(expectData(yield* call("GET", `${CUSTOMERS}/${second.id}`, { key: a.partnerKey }))).toEqual(second)
        expect(expectData(yield* call("GET", `${CUSTOMERS}/${first.id}`, { key: a.partnerKey }))).toEqual(first)
        expect(ids(expectData(yield* call("GET", CUSTOMERS, { key: a.partnerKey })))).toEqual([first.id, second.id])

        // Customers without an external_id do not collide with each other.
        yield* createCustomer(a.partnerKey, { name: "No ref 1" })
        yield* createCustomer(a.partnerKey, { name: "No ref 2", external_id: null })
      }))

    it.effect("invalid input is 422 validation_error naming the field, and nothing is created", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
          [{ email: "not-an-email" }, "email"],
          [{ address: { line1: "Main St 1", country: "DEU" } }, "address.country"],
          [{ address: { country: "de" } }, "address.country"],
          [{ timezone: "Mars/Olympus_Mons" }, "timezone"],
          [{ currency: "eur" }, "currency"],
          [{ name: "" }, "name"],
          [{ name: "   " }, "name"],
          [{ status: "deleted" }, "status"]
        ]
        for (const [fields, field] of cases) {
          const answer = yield* call("POST", CUSTOMERS, { key: partnerKey, body: { name: "Acme", ...fields } })
          expectError(answer, 422, "validation_error", field)
          expect(answer.body.error.message).toEqual(expect.any(String))
        }
        const missingName = yield* call("POST", CUSTOMERS, { key: partnerKey, body: { email: "a@b.example" } })
        expectError(missingName, 422, "validation_error", "name")
        expect(expectData(yield* call("GET", CUSTOMERS, { key: partnerKey }))).toEqual([])

        // The same rules hold on update, and a refused update changes nothing.
        const customer = yield* createCustomer(partnerKey, { email: "ok@acme.example" })
        for (const [fields, field] of cases) {
          const answer = yield* call("PUT", `${CUSTOMERS}/${customer.id}`, { key: partnerKey, body: fields })
          expectError(answer, 422, "validation_error", field)
        }
        expect(expectData(yield* call("GET", `${CUSTOMERS}/${customer.id}`, { key: partnerKey }))).toEqual(customer)
      }))

    it.effect("a time zone given in another case is kept as the time zone database spells it", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        expect((yield* createCustomer(partnerKey, { timezone: "utc" })).timezone).toBe("UTC")
        const berlin = yield* createCustomer(partnerKey, { timezone: "europe/berlin" })
        expect(berlin.timezone).toBe("Europe/Berlin")
        expect(expectData(yield* call("PUT", `${CUSTOMERS}/${berlin.id}`, { key: partnerKey, body: { timezone: "america/new_york" } })).timezone)
          .toBe("America/New_York")
        // A link keeps the name it was given.
        expect((yield* createCustomer(partnerKey, { timezone: "US/Pacific" })).timezone).toBe("US/Pacific")
      }))

    it.effect("another partner's customer is 404 for read, update, delete and its sub-resources", () =>
      Effect.gen(function* () {
        const owner = yield* channel()
        const other = yield* channel()
        const customer = yield* createCustomer(owner.partnerKey, { name: "Private" })
        const path = `${CUSTOMERS}/${customer.id}`
        const key = other.partnerKey
        expectError(yield* call("GET", path, { key }), 404, "not_found")
        expectError(yield* call("PUT", path, { key, body: { name: "Hijacked" } }), 404, "not_found")
        expectError(yield* call("DELETE", path, { key }), 404, "not_found")
        expectError(yield* call("GET", `${path}/contacts`, { key }), 404, "not_found")
        expectError(yield* call("POST", `${path}/contacts`, { key, body: { name: "Intruder" } }), 404, "not_found")
        expectError(yield* call("GET", `${path}/paymentMethods`, { key }), 404, "not_found")
        expectError(yield* call("POST", `${path}/paymentMethods`, { key, body: { type: "invoice" } }), 404, "not_found")
        expectError(yield* call("GET", `${path}/productLocations`, { key }), 404, "not_found")
        expectError(yield* call("POST", `${path}/productLocations`, { key, body: { name: "HQ" } }), 404, "not_found")
        // The other distributor fares no better.
        expectError(yield* call("GET", path, { key: other.distributorKey }), 404, "not_found")
        expect(ids(expectData(yield* call("GET", CUSTOMERS, { key })))).toEqual([])

        // Still there, unchanged and without anything added, for its owner.
        expect(expectData(yield* call("GET", path, { key: owner.partnerKey }))).toEqual(customer)
        expect(expectData(yield* call("GET", `${path}/contacts`, { key: owner.partnerKey }))).toEqual([])
        expect(expectData(yield* call("GET", `${path}/paymentMethods`, { key: owner.partnerKey }))).toEqual([])
        expect(expectData(yield* call("GET", `${path}/productLocations`, { key: owner.partnerKey }))).toEqual([])
      }))

    it.effect("a distributor sees its partners' customers, not another distributor's", () =>
      Effect.gen(function* () {
        const a = yield* channel()
        const b = yield* channel()
        const secondPartner = yield* createPartner(a.distributor.id)
        const secondPartnerKey = yield* createKey(secondPartner.id)
        const a1 = yield* createCustomer(a.partnerKey, { name: "A1" })
        const a2 = yield* createCustomer(secondPartnerKey, { name: "A2" })
        const b1 = yield* createCustomer(b.partnerKey, { name: "B1" })

        expect(ids(expectData(yield* call("GET", CUSTOMERS, { key: a.distributorKey })))).toEqual([a1.id, a2.id])
        expect(expectData(yield* call("GET", `${CUSTOMERS}/${a2.id}`, { key: a.distributorKey }))).toEqual(a2)
        expectError(yield* call("GET", `${CUSTOMERS}/${b1.id}`, { key: a.distributorKey }), 404, "not_found")
        expect(ids(expectData(yield* call("GET", CUSTOMERS, { key: b.distributorKey })))).toEqual([b1.id])

        // A distributor creates customers by naming one of its partners, not another's.
        const made = expectData(
          yield* call("POST", CUSTOMERS, { key: a.distributorKey, body: { name: "Via distributor", partner_id: a.partner.id } }),
          201
        )
        expect(made.partner_id).toBe(a.partner.id)
        const foreign = yield* call("POST", CUSTOMERS, {
          key: a.distributorKey,
          body: { name: "Elsewhere", partner_id: b.partner.id }
        })
        expectError(foreign, 422, "validation_error", "partner_id")
        expect(ids(expectData(yield* call("GET", CUSTOMERS, { key: b.partnerKey })))).toEqual([b1.id])
      }))

    it.effect("a viewer key lists customers but gets 403 on create", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const viewer = yield* createKey(partner.id, "viewer")
        expect(ids(expectData(yield* call("GET", CUSTOMERS, { key: viewer })))).toEqual([customer.id])
        expect(expectData(yield* call("GET", `${CUSTOMERS}/${customer.id}`, { key: viewer }))).toEqual(customer)
        expectError(yield* call("POST", CUSTOMERS, { key: viewer, body: { name: "Nope" } }), 403, "forbidden")
        expectError(
          yield* call("PUT", `${CUSTOMERS}/${customer.id}`, { key: viewer, body: { name: "Nope" } }),
          403,
          "forbidden"
        )
        expectError(yield* call("DELETE", `${CUSTOMERS}/${customer.id}`, { key: viewer }), 403, "forbidden")
        expect(ids(expectData(yield* call("GET", CUSTOMERS, { key: partnerKey })))).toEqual([customer.id])
        expect(expectData(yield* call("GET", `${CUSTOMERS}/${customer.id}`, { key: partnerKey }))).toEqual(customer)
      }))

    it.effect("a customer's own key reads and updates itself, sees no other customer and cannot create one", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const self = yield* createCustomer(partnerKey, { name: "Self" })
        const sibling = yield* createCustomer(partnerKey, { name: "Sibling" })
        const key = yield* customerKey(self.id)

        const me = expectData(yield* call("GET", "/api/v1/me", { key }))
        expect(me).toMatchObject({ account_id: self.id, account_kind: "customer" })

        expect(expectData(yield* call("GET", `${CUSTOMERS}/${self.id}`, { key }))).toEqual(self)
        const updated = expectData(
          yield* call("PUT", `${CUSTOMERS}/${self.id}`, { key, body: { name: "Self, renamed", phone: "+44 20 7946 0000" } })
        )
        expect(updated).toMatchObject({ id: self.id, name: "Self, renamed", phone: "+44 20 7946 0000" })

        expect(ids(expectData(yield* call("GET", CUSTOMERS, { key })))).toEqual([self.id])
        expectError(yield* call("GET", `${CUSTOMERS}/${sibling.id}`, { key }), 404, "not_found")
        expectError(yield* call("PUT", `${CUSTOMERS}/${sibling.id}`, { key, body: { name: "x" } }), 404, "not_found")
        expectError(yield* call("POST", CUSTOMERS, { key, body: { name: "Child" } }), 403, "forbidden")
        // Its status and the partner's reference to it are the partner's to change, and it cannot delete itself.
        expectError(yield* call("PUT", `${CUSTOMERS}/${self.id}`, { key, body: { status: "closed" } }), 403, "forbidden")
        expectError(yield* call("PUT", `${CUSTOMERS}/${self.id}`, { key, body: { external_id: "x" } }), 403, "forbidden")
        expectError(yield* call("DELETE", `${CUSTOMERS}/${self.id}`, { key }), 403, "forbidden")
        expect(expectData(yield* call("GET", `${CUSTOMERS}/${self.id}`, { key: partnerKey }))).toEqual(updated)
        // Itself read and sent back whole (status, external_id... as they are) is taken; and leaves them as they were.
        const { updated_at: _sentBack, ...whole } = updated
        const renamed = expectData(yield* call("PUT", `${CUSTOMERS}/${self.id}`, { key, body: { ...whole, name: "Self, whole" } }))
        expect(renamed).toEqual({ ...updated, name: "Self, whole", updated_at: renamed.updated_at })
        expectError(yield* call("PUT", `${CUSTOMERS}/${self.id}`, { key, body: { ...whole, status: "closed" } }), 403, "forbidden")
        const { updated_at: _renamedAt, ...back } = renamed
        expectData(yield* call("PUT", `${CUSTOMERS}/${self.id}`, { key, body: { ...back, name: updated.name } }))
        expect(ids(expectData(yield* call("GET", CUSTOMERS, { key: partnerKey })))).toEqual([self.id, sibling.id])
        expect(expectData(yield* call("GET", `${CUSTOMERS}/${sibling.id}`, { key: partnerKey }))).toEqual(sibling)
      }))

    it.effect("lists page with limit and cursors: all seen once, in creation order", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const made: Array<string> = []
        for (let i = 0; i < 5; i++) made.push((yield* createCustomer(partnerKey, { name: `C${i}` })).id)
        const { pages, seen } = yield* collect(CUSTOMERS, partnerKey, 2)
        expect(pages).toBe(3)
        expect(seen).toEqual(made)
        // A page size covering everything answers in one page with no cursor.
        const whole = yield* call("GET", `${CUSTOMERS}?limit=5`, { key: partnerKey })
        expect(ids(expectData(whole))).toEqual(made)
      }))

    it.effect("?search= finds customers by name, external_id, email or id, in any case, within the caller's scope; partners by name", () =>
      Effect.gen(function* () {
        const { distributorKey, partner, partnerKey } = yield* channel()
        const fjord = yield* createCustomer(partnerKey, { name: "Fjord Fibre AS", external_id: "ERP-100_7" })
        const bergen = yield* createCustomer(partnerKey, { name: "Bergen Telecom", email: "billing@fjordmail.example" })
        yield* createCustomer(partnerKey, { name: "Oslo Cloud" })
        const other = yield* channel()
        yield* createCustomer(other.partnerKey, { name: "Fjord Elsewhere" })
        const search = (text: string, key = partnerKey) =>
          Effect.map(call("GET", `${CUSTOMERS}?search=${encodeURIComponent(text)}`, { key }), (a) => ids(expectData(a)))

        expect(yield* search("fjord")).toEqual([fjord.id, bergen.id])
        expect(yield* search("erp-100_7")).toEqual([fjord.id])
        // `_` and `%` are matched as themselves, not as wildcards.
        expect(yield* search("ERP-100%")).toEqual([])
        expect(yield* search("100x7")).toEqual([])
        expect(yield* search(bergen.id)).toEqual([bergen.id])
        // Blank is no search; the distributor searches its partners' customers.
        expect(yield* search("  ")).toHaveLength(3)
        expect(yield* search("FJORD", distributorKey)).toEqual([fjord.id, bergen.id])
        // Partners by name, as their distributor.
        const partners = expectData(yield* call("GET", `/api/v1/partners?search=${encodeURIComponent(partner.name.slice(0, 6))}`, {
          key: distributorKey
        }))
        expect(ids(partners)).toEqual([partner.id])
        // A search longer than 100 characters is refused naming it.
        const tooLong = yield* call("GET", `${CUSTOMERS}?search=${"x".repeat(101)}`, { key: partnerKey })
        expectError(tooLong, 422, "validation_error", "search")
        expect(tooLong.body.error.message).toBe("must be at most 100 characters")
      }))

    it.effect("401 unauthorized on the customers routes without a key", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const path = `${CUSTOMERS}/${customer.id}`
        const answers = [
          yield* call("GET", CUSTOMERS, { key: null }),
          yield* call("POST", CUSTOMERS, { key: null, body: { name: "Anonymous" } }),
          yield* call("GET", path, { key: null }),
          yield* call("PUT", path, { key: null, body: { name: "Anonymous" } }),
          yield* call("DELETE", path, { key: null }),
          yield* call("GET", `${path}/contacts`, { key: null }),
          yield* call("POST", `${path}/paymentMethods`, { key: null, body: { type: "invoice" } }),
          yield* call("GET", `${path}/productLocations`, { key: null })
        ]
        for (const answer of answers) expectError(answer, 401, "unauthorized")
        expect(expectData(yield* call("GET", path, { key: partnerKey }))).toEqual(customer)
        expect(ids(expectData(yield* call("GET", CUSTOMERS, { key: partnerKey })))).toEqual([customer.id])
      }))
  })

  it.layer(TestServer)("contacts", (it) => {
    it.effect("create, get, list, update and delete", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const base = `${CUSTOMERS}/${customer.id}/contacts`
        const created = expectData(
          yield* call("POST", base, {
            key: partnerKey,
            body: { name: "Jane Doe", email: "jane@acme.example", phone: "+49 30 555", role: "billing" }
          }),
          201
        )
        expect(created.id).toMatch(/^con_/)
        expect(created).toMatchObject({
          customer_id: customer.id,
          name: "Jane Doe",
          email: "jane@acme.example",
          phone: "+49 30 555",
          role: "billing"
        })
        expect(expectData(yield* call("GET", `${base}/${created.id}`, { key: partnerKey }))).toEqual(created)
        const second = expectData(yield* call("POST", base, { key: partnerKey, body: { name: "John" } }), 201)
        expect(second).toMatchObject({ name: "John", email: null, phone: null, role: null })
        expect(expectData(yield* call("GET", base, { key: partnerKey }))).toEqual([created, second])

        const updated = expectData(
          yield* call("PUT", `${base}/${created.id}`, { key: partnerKey, body: { role: "technical", email: null } })
        )
        expect(updated).toMatchObject({ id: created.id, name: "Jane Doe", email: null, phone: "+49 30 555", role: "technical" })
        expect(expectData(yield* call("GET", `${base}/${created.id}`, { key: partnerKey }))).toEqual(updated)

        yield* expectDeleted(base, created.id, partnerKey, [second.id])
        expectError(yield* call("PUT", `${base}/${created.id}`, { key: partnerKey, body: { name: "x" } }), 404, "not_found")
        expectError(yield* call("DELETE", `${base}/${created.id}`, { key: partnerKey }), 404, "not_found")
      }))

    it.effect("invalid contacts are 422 naming the field", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const base = `${CUSTOMERS}/${customer.id}/contacts`
        expectError(yield* call("POST", base, { key: partnerKey, body: { name: "" } }), 422, "validation_error", "name")
        expectError(
          yield* call("POST", base, { key: partnerKey, body: { name: "Jane", email: "jane-at-acme" } }),
          422,
          "validation_error",
          "email"
        )
        expect(expectData(yield* call("GET", base, { key: partnerKey }))).toEqual([])
      }))

    it.effect("a contact is reached only through its own customer", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const a = yield* createCustomer(partnerKey, { name: "A" })
        const b = yield* createCustomer(partnerKey, { name: "B" })
        const contact = expectData(
          yield* call("POST", `${CUSTOMERS}/${a.id}/contacts`, { key: partnerKey, body: { name: "Jane" } }),
          201
        )
        const wrong = `${CUSTOMERS}/${b.id}/contacts/${contact.id}`
        expectError(yield* call("GET", wrong, { key: partnerKey }), 404, "not_found")
        expectError(yield* call("PUT", wrong, { key: partnerKey, body: { name: "x" } }), 404, "not_found")
        expectError(yield* call("DELETE", wrong, { key: partnerKey }), 404, "not_found")
        expect(expectData(yield* call("GET", `${CUSTOMERS}/${a.id}/contacts/${contact.id}`, { key: partnerKey }))).toEqual(
          contact
        )
      }))

    it.effect("a contact, payment method or location stays with its customer: another customer_id is 422 on POST and PUT", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const a = yield* createCustomer(partnerKey, { name: "A" })
        const b = yield* createCustomer(partnerKey, { name: "B" })
        for (const [path, body] of [
          ["contacts", { name: "Jane" }],
          ["paymentMethods", { type: "card", gateway: "stripe", token: "pm_tok_1" }],
          ["productLocations", { name: "HQ" }]
        ] as const) {
          const base = `${CUSTOMERS}/${a.id}/${path}`
          const created = expectData(yield* call("POST", base, { key: partnerKey, body }), 201)
          // Read and sent back whole: taken.
          const { updated_at: _sentBack, ...whole } = created
          expectData(yield* call("PUT", `${base}/${created.id}`, { key: partnerKey, body: whole }))
          // Another customer, id or creation time: 422 naming it, never a 200 that moved nothing.
          for (const [field, value] of [["customer_id", b.id], ["id", `${created.id}x`], ["created_at", "2020-01-01T00:00:00.000Z"]]) {
            const refused = yield* call("PUT", `${base}/${created.id}`, { key: partnerKey, body: { [field]: value } })
            expectError(refused, 422, "validation_error", field)
            expect(refused.body.error.message).toMatch(/cannot be changed/)
          }
          expect(expectData(yield* call("GET", `${base}/${created.id}`, { key: partnerKey })).customer_id).toBe(a.id)
          // On creation the body may repeat the path's customer, never name another.
          expectData(yield* call("POST", base, { key: partnerKey, body: { ...body, customer_id: a.id } }), 201)
          const elsewhere = yield* call("POST", base, { key: partnerKey, body: { ...body, customer_id: b.id } })
          expectError(elsewhere, 422, "validation_error", "customer_id")
          expect(expectData(yield* call("GET", `${CUSTOMERS}/${b.id}/${path}`, { key: partnerKey }))).toEqual([])
        }
      }))

    it.effect("contacts page with cursors: all seen once, in creation order", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const base = `${CUSTOMERS}/${customer.id}/contacts`
        const made: Array<string> = []
        for (let i = 0; i < 5; i++) {
          made.push(expectData(yield* call("POST", base, { key: partnerKey, body: { name: `Contact ${i}` } }), 201).id)
        }
        const { pages, seen } = yield* collect(base, partnerKey, 2)
        expect(pages).toBe(3)
        expect(seen).toEqual(made)
      }))
  })

  it.layer(TestServer)("payment methods", (it) => {
    it.effect("create, get, list, update and delete", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const base = `${CUSTOMERS}/${customer.id}/paymentMethods`
        const created = expectData(
          yield* call("POST", base, {
            key: partnerKey,
            body: {
              type: "card",
              gateway: "stripe",
              token: "pm_1NqX2Y2eZvKYlo2C",
              brand: "visa",
              last4: "4242",
              exp_month: 12,
              exp_year: 2030
            }
          }),
          201
        )
        expect(created.id).toMatch(/^pm_/)
        expect(created).toMatchObject({
          customer_id: customer.id,
          type: "card",
          gateway: "stripe",
          token: "pm_1NqX2Y2eZvKYlo2C",
          brand: "visa",
          last4: "4242",
          exp_month: 12,
          exp_year: 2030,
          is_default: false
        })
        expect(expectData(yield* call("GET", `${base}/${created.id}`, { key: partnerKey }))).toEqual(created)
        const invoice = expectData(yield* call("POST", base, { key: partnerKey, body: { type: "invoice" } }), 201)
        expect(invoice).toMatchObject({ type: "invoice", gateway: null, token: null, last4: null, is_default: false })
        expect(expectData(yield* call("GET", base, { key: partnerKey }))).toEqual([created, invoice])

        const updated = expectData(
          yield* call("PUT", `${base}/${created.id}`, { key: partnerKey, body: { exp_month: 1, exp_year: 2031, brand: null } })
        )
        expect(updated).toMatchObject({
          id: created.id,
          token: "pm_1NqX2Y2eZvKYlo2C",
          last4: "4242",
          brand: null,
          exp_month: 1,
          exp_year: 2031
        })
        expect(expectData(yield* call("GET", `${base}/${created.id}`, { key: partnerKey }))).toEqual(updated)

        yield* expectDeleted(base, created.id, partnerKey, [invoice.id])
      }))

    it.effect("a full card number in any field is 422 naming it, not echoed, and nothing is stored", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const base = `${CUSTOMERS}/${customer.id}/paymentMethods`
        const cases: ReadonlyArray<readonly [Record<string, unknown>, string, string]> = [
          [{ token: "4242 4242 4242 4242" }, "token", "4242 4242 4242 4242"],
          [{ token: "4111111111111111" }, "token", "4111111111111111"],
          [{ token: "card:4111-1111-1111-1111" }, "token", "4111-1111-1111-1111"],
          [{ last4: "4111111111111111" }, "last4", "4111111111111111"],
          [{ brand: "visa 4242424242424242" }, "brand", "4242424242424242"],
          // Fields the API does not know are searched too: dropped unread, they would have answered 201.
          [{ card_number: "4242424242424242" }, "card_number", "4242424242424242"],
          [{ card: { number: "4111 1111 1111 1111", cvc: "123" } }, "card.number", "4111 1111 1111 1111"]
        ]
        for (const [fields, field, pan] of cases) {
          const answer = yield* call("POST", base, { key: partnerKey, body: { type: "card", gateway: "stripe", ...fields } })
          expectError(answer, 422, "validation_error", field)
          expect(answer.text).not.toContain(pan)
          expect(answer.text).not.toContain(pan.replace(/[ -]/g, ""))
        }
        expect(expectData(yield* call("GET", base, { key: partnerKey }))).toEqual([])

        // An update smuggling a card number in is refused the same way and changes nothing.
        const method = expectData(
          yield* call("POST", base, { key: partnerKey, body: { type: "card", token: "tok_visa", last4: "4242" } }),
          201
        )
        for (const [fields, field, pan] of cases) {
          const answer = yield* call("PUT", `${base}/${method.id}`, { key: partnerKey, body: fields })
          expectError(answer, 422, "validation_error", field)
          expect(answer.text).not.toContain(pan)
        }
        expect(expectData(yield* call("GET", `${base}/${method.id}`, { key: partnerKey }))).toEqual(method)
        expect(expectData(yield* call("GET", base, { key: partnerKey }))).toEqual([method])
      }))

    it.effect("invalid payment methods are 422 naming the field", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const base = `${CUSTOMERS}/${customer.id}/paymentMethods`
        const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
          [{ type: "cash" }, "type"],
          [{ type: "card", last4: "42" }, "last4"],
          [{ type: "card", exp_month: 13 }, "exp_month"],
          [{ type: "card", exp_year: 30 }, "exp_year"]
        ]
        for (const [body, field] of cases) {
          expectError(yield* call("POST", base, { key: partnerKey, body }), 422, "validation_error", field)
        }
        expectError(yield* call("POST", base, { key: partnerKey, body: {} }), 422, "validation_error", "type")
        expect(expectData(yield* call("GET", base, { key: partnerKey }))).toEqual([])
      }))

    it.effect("is_default: at most one per customer; setting it on another clears it on the first", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const other = yield* createCustomer(partnerKey, { name: "Other" })
        const base = `${CUSTOMERS}/${customer.id}/paymentMethods`
        const otherDefault = expectData(
          yield* call("POST", `${CUSTOMERS}/${other.id}/paymentMethods`, {
            key: partnerKey,
            body: { type: "invoice", is_default: true }
          }),
          201
        )
        const first = expectData(
          yield* call("POST", base, { key: partnerKey, body: { type: "card", token: "tok_1", is_default: true } }),
          201
        )
        expect(first.is_default).toBe(true)
        const second = expectData(
          yield* call("POST", base, { key: partnerKey, body: { type: "sepa_debit", token: "mandate_2", is_default: true } }),
          201
        )
        expect(second.is_default).toBe(true)
        expect(expectData(yield* call("GET", `${base}/${first.id}`, { key: partnerKey })).is_default).toBe(false)

        // Setting it through an update moves it back.
        const third = expectData(yield* call("POST", base, { key: partnerKey, body: { type: "invoice" } }), 201)
        expect(third.is_default).toBe(false)
        const promoted = expectData(
          yield* call("PUT", `${base}/${first.id}`, { key: partnerKey, body: { is_default: true } })
        )
        expect(promoted.is_default).toBe(true)
        const listed = expectData(yield* call("GET", base, { key: partnerKey }))
        expect(listed.map((m: { id: string; is_default: boolean }) => [m.id, m.is_default])).toEqual([
          [first.id, true],
          [second.id, false],
          [third.id, false]
        ])
        // Another customer's default is not touched.
        expect(
          expectData(yield* call("GET", `${CUSTOMERS}/${other.id}/paymentMethods/${otherDefault.id}`, { key: partnerKey }))
            .is_default
        ).toBe(true)
      }))
  })

  it.layer(TestServer)("product locations", (it) => {
    it.effect("create, get, list, update and delete", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const base = `${CUSTOMERS}/${customer.id}/productLocations`
        const created = expectData(
          yield* call("POST", base, {
            key: partnerKey,
            body: { name: "Head office", address: { line1: "1 Main St", city: "Dublin", country: "IE" } }
          }),
          201
        )
        expect(created.id).toMatch(/^loc_/)
        expect(created).toMatchObject({
          customer_id: customer.id,
          name: "Head office",
          address: { line1: "1 Main St", line2: null, city: "Dublin", state: null, postal_code: null, country: "IE" }
        })
        expect(expectData(yield* call("GET", `${base}/${created.id}`, { key: partnerKey }))).toEqual(created)
        const branch = expectData(yield* call("POST", base, { key: partnerKey, body: { name: "Branch" } }), 201)
        expect(branch.address).toBeNull()
        expect(expectData(yield* call("GET", base, { key: partnerKey }))).toEqual([created, branch])

        const renamed = expectData(
          yield* call("PUT", `${base}/${created.id}`, { key: partnerKey, body: { name: "HQ" } })
        )
        expect(renamed).toMatchObject({ name: "HQ", address: created.address })
        const moved = expectData(
          yield* call("PUT", `${base}/${created.id}`, { key: partnerKey, body: { address: { city: "Cork", country: "IE" } } })
        )
        expect(moved).toMatchObject({
          name: "HQ",
          address: { line1: null, line2: null, city: "Cork", state: null, postal_code: null, country: "IE" }
        })
        const cleared = expectData(yield* call("PUT", `${base}/${created.id}`, { key: partnerKey, body: { address: null } }))
        expect(cleared).toMatchObject({ name: "HQ", address: null })
        expect(expectData(yield* call("GET", `${base}/${created.id}`, { key: partnerKey }))).toEqual(cleared)

        yield* expectDeleted(base, created.id, partnerKey, [branch.id])
      }))

    it.effect("invalid locations are 422 naming the field", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const customer = yield* createCustomer(partnerKey)
        const base = `${CUSTOMERS}/${customer.id}/productLocations`
        expectError(yield* call("POST", base, { key: partnerKey, body: { name: "" } }), 422, "validation_error", "name")
        expectError(
          yield* call("POST", base, { key: partnerKey, body: { name: "Site", address: { country: "IRL" } } }),
          422,
          "validation_error",
          "address.country"
        )
        expect(expectData(yield* call("GET", base, { key: partnerKey }))).toEqual([])
      }))
  })
})
