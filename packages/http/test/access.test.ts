import type { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ProvisioApi } from "@provisio/http/api"
import { Effect } from "effect"
import { ADMIN_KEY, call, createDistributor, createKey, createPartner, expectData, TestServer } from "./harness"

/**
 * Every endpoint, called by every kind of caller, must answer the status the contract gives it.
 * The targets belong to partner P1 (standard) under distributor D1; P2 is a free partner under
 * the same distributor, P3 a partner of another distributor.
 */
const CALLERS = [
  "platform",
  "distributor",
  "partner",
  "partnerFree",
  "customerAdmin",
  "viewer",
  "foreignPartner",
  "anonymous",
  "revoked"
] as const
type Caller = typeof CALLERS[number]
type Expected = Record<Caller, number>

interface World {
  readonly d1: string
  readonly p1: string
  readonly c1: string
  readonly contact: string
  readonly paymentMethod: string
  readonly location: string
  readonly keys: Record<Caller, string | null>
}

interface Row {
  /** The endpoint's name in the contract. */
  readonly endpoint: string
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  /** Made anew for each caller (as the platform admin) when the call destroys its target. */
  readonly prepare?: (world: World) => Effect.Effect<string, never, HttpClient.HttpClient>
  readonly path: (world: World, prepared: string) => string
  readonly body?: (world: World) => unknown
  readonly expect: Expected
}

const everyone = (status: number): Expected => ({
  platform: status,
  distributor: status,
  partner: status,
  partnerFree: status,
  customerAdmin: status,
  viewer: status,
  foreignPartner: status,
  anonymous: 401,
  revoked: 401
})

/** A read of something of P1's customer C1. */
const readC1 = everyone(200)
Object.assign(readC1, { partnerFree: 404, foreignPartner: 404 })
/** A change to something of C1: like a read, but viewers may not. */
const writeC1 = (status: number): Expected => ({ ...readC1, platform: status, distributor: status, partner: status, customerAdmin: status, viewer: 403 })

const world = Effect.gen(function* () {
  const d1 = (yield* createDistributor("D1")).id
  const p1 = (yield* createPartner(d1, "standard", "P1")).id
  const p2 = (yield* createPartner(d1, "free", "P2")).id
  const d2 = (yield* createDistributor("D2")).id
  const p3 = (yield* createPartner(d2, "standard", "P3")).id
  const c1 = expectData(yield* call("POST", "/api/v1/customers", { body: { name: "C1", partner_id: p1 } }), 201).id
  const contact = expectData(yield* call("POST", `/api/v1/customers/${c1}/contacts`, { body: { name: "Ann" } }), 201).id
  const paymentMethod = expectData(
    yield* call("POST", `/api/v1/customers/${c1}/paymentMethods`, { body: { type: "invoice" } }),
    201
  ).id
  const location = expectData(yield* call("POST", `/api/v1/customers/${c1}/productLocations`, { body: { name: "HQ" } }), 201).id
  const revokedKey = expectData(yield* call("POST", "/api/v1/api-keys", { body: { account_id: p1, role: "admin" } }), 201)
  yield* call("DELETE", `/api/v1/api-keys/${revokedKey.id}`)
  return {
    d1,
    p1,
    c1,
    contact,
    paymentMethod,
    location,
    keys: {
      platform: ADMIN_KEY,
      distributor: yield* createKey(d1),
      partner: yield* createKey(p1),
      partnerFree: yield* createKey(p2),
      customerAdmin: yield* createKey(c1),
      viewer: yield* createKey(p1, "viewer"),
      foreignPartner: yield* createKey(p3),
      anonymous: null,
      revoked: revokedKey.secret
    }
  } satisfies World
})

const created = (path: string, body: unknown) => (_: World) =>
  Effect.map(call("POST", path, { body }), (answer) => expectData(answer, 201).id as string)

const ROWS: ReadonlyArray<Row> = [
  // Identity
  { endpoint: "me", method: "GET", path: () => "/api/v1/me", expect: everyone(200) },
  { endpoint: "listDistributors", method: "GET", path: () => "/api/v1/distributors", expect: everyone(200) },
  {
    endpoint: "createDistributor",
    method: "POST",
    path: () => "/api/v1/distributors",
    body: () => ({ name: "New" }),
    expect: { ...everyone(403), platform: 201 }
  },
  {
    endpoint: "getDistributor",
    method: "GET",
    path: (w) => `/api/v1/distributors/${w.d1}`,
    expect: { ...everyone(404), platform: 200, distributor: 200 }
  },
  {
    endpoint: "updateDistributor",
    method: "PUT",
    path: (w) => `/api/v1/distributors/${w.d1}`,
    body: () => ({ name: "D1" }),
    expect: { ...everyone(404), platform: 200, distributor: 200 }
  },
  {
    endpoint: "deleteDistributor",
    method: "DELETE",
    prepare: () => Effect.map(createDistributor("Doomed"), (d) => d.id as string),
    path: (_, id) => `/api/v1/distributors/${id}`,
    expect: { ...everyone(404), platform: 204 }
  },
  { endpoint: "listPartners", method: "GET", path: () => "/api/v1/partners", expect: everyone(200) },
  {
    endpoint: "createPartner",
    method: "POST",
    path: () => "/api/v1/partners",
    body: (w) => ({ name: "New", distributor_id: w.d1 }),
    expect: { ...everyone(403), platform: 201, distributor: 201 }
  },
  {
    endpoint: "getPartner",
    method: "GET",
    path: (w) => `/api/v1/partners/${w.p1}`,
    expect: { ...everyone(404), platform: 200, distributor: 200, partner: 200, viewer: 200 }
  },
  {
    endpoint: "updatePartner",
    method: "PUT",
    path: (w) => `/api/v1/partners/${w.p1}`,
    body: () => ({ name: "P1" }),
    expect: { ...everyone(404), platform: 200, distributor: 200, partner: 200, viewer: 403 }
  },
  {
    endpoint: "deletePartner",
    method: "DELETE",
    prepare: (w) => Effect.map(createPartner(w.d1, "standard", "Doomed"), (p) => p.id as string),
    path: (_, id) => `/api/v1/partners/${id}`,
    expect: { ...everyone(404), platform: 204, distributor: 204 }
  },
  { endpoint: "listApiKeys", method: "GET", path: () => "/api/v1/api-keys", expect: { ...everyone(200), viewer: 403 } },
  {
    endpoint: "createApiKey",
    method: "POST",
    path: () => "/api/v1/api-keys",
    body: () => ({ role: "viewer" }),
    expect: { ...everyone(201), viewer: 403 }
  },
  {
    endpoint: "deleteApiKey",
    method: "DELETE",
    prepare: (w) => created("/api/v1/api-keys", { account_id: w.p1, role: "viewer" })(w),
    path: (_, id) => `/api/v1/api-keys/${id}`,
    expect: { ...everyone(404), platform: 204, distributor: 204, partner: 204, viewer: 403 }
  },
  // Customers
  { endpoint: "listCustomers", method: "GET", path: () => "/api/v1/customers", expect: everyone(200) },
  {
    endpoint: "createCustomer",
    method: "POST",
    path: () => "/api/v1/customers",
    body: (w) => ({ name: "New", partner_id: w.p1 }),
    // Partners outside P1 are told partner_id is not theirs; customers and viewers may not create.
    expect: { ...everyone(201), partnerFree: 422, foreignPartner: 422, customerAdmin: 403, viewer: 403 }
  },
  { endpoint: "getCustomer", method: "GET", path: (w) => `/api/v1/customers/${w.c1}`, expect: readC1 },
  {
    endpoint: "updateCustomer",
    method: "PUT",
    path: (w) => `/api/v1/customers/${w.c1}`,
    body: () => ({ name: "C1" }),
    expect: writeC1(200)
  },
  {
    endpoint: "deleteCustomer",
    method: "DELETE",
    prepare: (w) => created("/api/v1/customers", { name: "Doomed", partner_id: w.p1 })(w),
    path: (_, id) => `/api/v1/customers/${id}`,
    // A customer key is bound to C1: a sibling customer is out of its reach.
    expect: { ...writeC1(204), customerAdmin: 403 }
  },
  ...(["contacts", "paymentMethods", "productLocations"] as const).flatMap((collection): ReadonlyArray<Row> => {
    const names = {
      contacts: ["Contacts", "Contact", "contact", { name: "Bo" }],
      paymentMethods: ["PaymentMethods", "PaymentMethod", "paymentMethod", { type: "invoice" }],
      productLocations: ["ProductLocations", "ProductLocation", "location", { name: "Site" }]
    } as const
    const [plural, singular, key, body] = names[collection]
    const base = (w: World) => `/api/v1/customers/${w.c1}/${collection}`
    return [
      { endpoint: `list${plural}`, method: "GET", path: base, expect: readC1 },
      { endpoint: `create${singular}`, method: "POST", path: base, body: () => body, expect: writeC1(201) },
      { endpoint: `get${singular}`, method: "GET", path: (w) => `${base(w)}/${w[key]}`, expect: readC1 },
      { endpoint: `update${singular}`, method: "PUT", path: (w) => `${base(w)}/${w[key]}`, body: () => body, expect: writeC1(200) },
      {
        endpoint: `delete${singular}`,
        method: "DELETE",
        prepare: (w) => created(base(w), body)(w),
        path: (w, id) => `${base(w)}/${id}`,
        expect: writeC1(204)
      }
    ]
  })
]

describe("access", () => {
  it("the table covers every endpoint of the contract", () => {
    const endpoints = Object.values(ProvisioApi.groups)
      .filter((group) => group.identifier !== "ops")
      .flatMap((group) => Object.keys(group.endpoints))
    const covered = new Set(ROWS.map((row) => row.endpoint))
    expect(endpoints.filter((name) => !covered.has(name))).toEqual([])
  })

  it.layer(TestServer)("every endpoint as every caller", (it) => {
    for (const row of ROWS) {
      it.effect(`${row.method} ${row.endpoint}`, () =>
        Effect.gen(function* () {
          const w = yield* world
          const mismatches: Array<string> = []
          for (const caller of CALLERS) {
            const prepared = row.prepare ? yield* row.prepare(w) : ""
            const answer = yield* call(row.method, row.path(w, prepared), {
              key: w.keys[caller],
              body: row.body?.(w)
            })
            if (answer.status !== row.expect[caller]) {
              mismatches.push(`${caller}: expected ${row.expect[caller]}, got ${answer.status} ${answer.text.slice(0, 160)}`)
            }
          }
          expect(mismatches).toEqual([])
        }))
    }
  })
})
