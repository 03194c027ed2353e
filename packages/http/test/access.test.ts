import type * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import { ProvisioApi } from "@provisio/http/api"
import { Deliveries } from "@provisio/core/deliveries/service"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import {
  ADMIN_KEY,
  call,
  createDistributor,
  createKey,
  createPartner,
  createUser,
  expectData,
  signIn,
  TEST_PASSWORD,
  TestServer,
  uniqueEmail,
  withSettings
} from "./harness"
import { finalizedInvoiceOf } from "./payments-fixtures"
import { draftInvoiceOf } from "./payments-fixtures"
import { chargeOf, finalizedInvoice } from "./invoice-fixtures"

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
  "revoked",
  "expired"
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
  /** A body that is a document, not JSON (a bank statement), with its content type. */
  readonly document?: { readonly contentType: string; readonly text: (world: World) => string }
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
  revoked: 401,
  expired: 401
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
  // An admin user of P1 whose access token has run out: signed in, then the clock moves past its TTL.
  const lapsed = yield* createUser(p1, "admin")
  const expired = (yield* signIn(lapsed.email)).access_token
  yield* TestClock.adjust("16 minutes")
  // C1's admin is a user onboarded through POST /customers/{id}/admins, signed in with a password.
  const customerAdminEmail = uniqueEmail("customer-admin")
  expectData(
    yield* call("POST", `/api/v1/customers/${c1}/admins`, {
      body: { email: customerAdminEmail, name: "C1 admin", password: TEST_PASSWORD }
    }),
    201
  )
  const customerAdmin = (yield* signIn(customerAdminEmail)).access_token
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
      customerAdmin,
      viewer: yield* createKey(p1, "viewer"),
      foreignPartner: yield* createKey(p3),
      anonymous: null,
      revoked: revokedKey.secret,
      expired
    }
  } satisfies World
})

/** A new user of C1 (no password: nothing to hash), made by the platform admin. */
const userOfC1 = (w: World) =>
  Effect.map(
    call("POST", "/api/v1/users", { body: { account_id: w.c1, email: uniqueEmail(), name: "U", role: "viewer" } }),
    (answer) => expectData(answer, 201).id as string
  )

const created = (path: string, body: unknown) => (_: World) =>
  Effect.map(call("POST", path, { body }), (answer) => expectData(answer, 201).id as string)

/** The catalog a row works on: made once per world by the platform admin (names are unique). */
interface CatalogWorld {
  readonly product: string
  readonly city: string
  readonly sku: string
  readonly plan: string
}
const catalogs = new WeakMap<World, CatalogWorld>()
let catalogNames = 0
const catalogOf = (w: World) =>
  Effect.gen(function* () {
    const cached = catalogs.get(w)
    if (cached !== undefined) return cached
    const n = ++catalogNames
    const product = expectData(yield* call("POST", "/api/v1/products", {
      body: { name: `Access product ${n}`, type: "phone_number", availability: [{ country: "DE", city: "Berlin" }] }
    }), 201)
    const sku = expectData(yield* call("POST", "/api/v1/pricing", {
      body: { code: `access-${n}`, name: "Minutes", unit: "minute", currency: "EUR", model: "per_unit", unit_price: "0.01" }
    }), 201)
    const plan = expectData(yield* call("POST", "/api/v1/plans", { body: planBody(product.id, sku.id) }), 201)
    const catalog = { product: product.id, city: product.availability[0].city_id, sku: sku.id, plan: plan.id }
    catalogs.set(w, catalog)
    return catalog
  })
const planBody = (product_id: string, sku_id: string) => ({
  product_id,
  name: `Access plan ${++catalogNames}`,
  price: { amount: "9.00", currency: "EUR" },
  billing_interval: "month",
  sku_ids: [sku_id]
})
/** A catalog path, the catalog made first (a row's `prepare`). */
const inCatalog = (path: (catalog: CatalogWorld) => string) => (w: World) => Effect.map(catalogOf(w), path)
/** The catalog is the platform's: everyone reads it, only the platform writes it. */
const platformWrites = (status: number): Expected => ({ ...everyone(403), platform: status })

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
  }),
  // Settings: always the caller's own account's (or its X-Tenant-ID target's)
  { endpoint: "getSettings", method: "GET", path: () => "/api/v1/settings", expect: everyone(200) },
  { endpoint: "getBranding", method: "GET", path: () => "/api/v1/branding", expect: everyone(200) },
  {
    endpoint: "updateSettings",
    method: "PUT",
    path: () => "/api/v1/settings",
    body: () => ({ branding: { display_name: "Mine" } }),
    expect: { ...everyone(200), viewer: 403 }
  },
  // Federated sign-in takes no credential: an unknown provider is 401 for everyone
  {
    endpoint: "federatedSignIn",
    method: "POST",
    path: () => "/api/v1/auth/federated",
    body: () => ({ provider: "no-such-provider", id_token: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln" }),
    expect: everyone(401)
  },
  // Users: managed by admins; the target is a user of C1, made anew for each caller
  { endpoint: "listUsers", method: "GET", path: () => "/api/v1/users", expect: { ...everyone(200), viewer: 403 } },
  {
    endpoint: "createUser",
    method: "POST",
    path: () => "/api/v1/users",
    body: (w) => ({ account_id: w.c1, email: uniqueEmail(), name: "New", role: "viewer" }),
    // Partners outside P1 are told account_id is not theirs.
    expect: { ...writeC1(201), partnerFree: 422, foreignPartner: 422 }
  },
  { endpoint: "getUser", method: "GET", prepare: userOfC1, path: (_, id) => `/api/v1/users/${id}`, expect: writeC1(200) },
  {
    endpoint: "updateUser",
    method: "PUT",
    prepare: userOfC1,
    path: (_, id) => `/api/v1/users/${id}`,
    body: () => ({ name: "Renamed" }),
    expect: writeC1(200)
  },
  { endpoint: "deleteUser", method: "DELETE", prepare: userOfC1, path: (_, id) => `/api/v1/users/${id}`, expect: writeC1(204) },
  { endpoint: "listRoles", method: "GET", path: () => "/api/v1/roles", expect: everyone(200) },
  {
    endpoint: "setRole",
    method: "PUT",
    prepare: userOfC1,
    path: (_, id) => `/api/v1/roles/${id}`,
    body: () => ({ role: "manager" }),
    expect: writeC1(200)
  },
  {
    endpoint: "createCustomerAdmin",
    method: "POST",
    path: (w) => `/api/v1/customers/${w.c1}/admins`,
    body: () => ({ email: uniqueEmail(), name: "Tenant admin" }),
    expect: writeC1(201)
  },
  // Sign-in takes no bearer token: wrong credentials are 401 whoever sends them
  {
    endpoint: "login",
    method: "POST",
    path: () => "/api/v1/auth/login",
    body: () => ({ email: uniqueEmail(), password: "not the password" }),
    expect: everyone(401)
  },
  {
    endpoint: "refresh",
    method: "POST",
    path: () => "/api/v1/auth/refresh",
    body: () => ({ refresh_token: "pvr_never_issued" }),
    expect: everyone(401)
  },
  {
    endpoint: "logout",
    method: "POST",
    path: () => "/api/v1/auth/logout",
    body: () => ({ refresh_token: "pvr_never_issued" }),
    expect: everyone(401)
  },
  // Catalog
  { endpoint: "listProducts", method: "GET", path: () => "/api/v1/products", expect: everyone(200) },
  {
    endpoint: "createProduct",
    method: "POST",
    path: () => "/api/v1/products",
    body: () => ({ name: `Access new product ${++catalogNames}`, type: "service" }),
    expect: platformWrites(201)
  },
  { endpoint: "getProduct", method: "GET", prepare: inCatalog((c) => `/api/v1/products/${c.product}`), path: (_, p) => p, expect: everyone(200) },
  {
    endpoint: "updateProduct",
    method: "PUT",
    prepare: inCatalog((c) => `/api/v1/products/${c.product}`),
    path: (_, p) => p,
    body: () => ({ type: "phone_number" }),
    expect: platformWrites(200)
  },
  { endpoint: "listCountries", method: "GET", prepare: inCatalog(() => "/api/v1/countries"), path: (_, p) => p, expect: everyone(200) },
  { endpoint: "getCountry", method: "GET", prepare: inCatalog(() => "/api/v1/countries/DE"), path: (_, p) => p, expect: everyone(200) },
  { endpoint: "listCities", method: "GET", prepare: inCatalog(() => "/api/v1/countries/DE/cities"), path: (_, p) => p, expect: everyone(200) },
  {
    endpoint: "getCity",
    method: "GET",
    prepare: inCatalog((c) => `/api/v1/countries/DE/cities/${c.city}`),
    path: (_, p) => p,
    expect: everyone(200)
  },
  { endpoint: "listSkus", method: "GET", path: () => "/api/v1/pricing", expect: everyone(200) },
  {
    endpoint: "createSku",
    method: "POST",
    path: () => "/api/v1/pricing",
    body: () => ({ code: `access-new-${++catalogNames}`, name: "New", unit: "GB", currency: "USD", model: "per_unit", unit_price: "1.50" }),
    expect: platformWrites(201)
  },
  { endpoint: "getSku", method: "GET", prepare: inCatalog((c) => `/api/v1/pricing/${c.sku}`), path: (_, p) => p, expect: everyone(200) },
  {
    endpoint: "updateSku",
    method: "PUT",
    prepare: inCatalog((c) => `/api/v1/pricing/${c.sku}`),
    path: (_, p) => p,
    body: () => ({ name: "Minutes" }),
    expect: platformWrites(200)
  },
  {
    endpoint: "quoteSku",
    method: "GET",
    prepare: inCatalog((c) => `/api/v1/pricing/${c.sku}/quote?quantity=100`),
    path: (_, p) => p,
    expect: everyone(200)
  },
  { endpoint: "listPlans", method: "GET", path: () => "/api/v1/plans", expect: everyone(200) },
  {
    endpoint: "createPlan",
    method: "POST",
    prepare: inCatalog(() => "/api/v1/plans"),
    path: (_, p) => p,
    body: (w) => planBody(catalogs.get(w)!.product, catalogs.get(w)!.sku),
    expect: platformWrites(201)
  },
  { endpoint: "getPlan", method: "GET", prepare: inCatalog((c) => `/api/v1/plans/${c.plan}`), path: (_, p) => p, expect: everyone(200) },
  {
    endpoint: "updatePlan",
    method: "PUT",
    prepare: inCatalog((c) => `/api/v1/plans/${c.plan}`),
    path: (_, p) => p,
    body: () => ({ price: { amount: "9.50", currency: "EUR" } }),
    expect: platformWrites(200)
  },
  {
    endpoint: "publishPlan",
    method: "POST",
    // A new draft for each caller, so the platform always has one to publish.
    prepare: (w) =>
      Effect.gen(function* () {
        const catalog = yield* catalogOf(w)
        const draft = expectData(yield* call("POST", "/api/v1/plans", { body: planBody(catalog.product, catalog.sku) }), 201)
        return `/api/v1/plans/${draft.id}/publish`
      }),
    path: (_, p) => p,
    expect: platformWrites(200)
  },
  // Number inventory and reservations: numbers are added by the platform admin (the catalog's
  // phone_number product in DE/Berlin); each reservation takes a number no other row has used.
  ...((): ReadonlyArray<Row> => {
    let numbers = 0
    let fresh = ""
    /** A number new to the inventory, added by the platform admin. */
    const stocked = (w: World) =>
      Effect.gen(function* () {
        const catalog = yield* catalogOf(w)
        const number = `+49301${String(++numbers).padStart(7, "0")}`
        expectData(yield* call("POST", "/api/v1/numbers", {
          body: { product_id: catalog.product, country: "DE", city: "Berlin", numbers: [number] }
        }), 201)
        return number
      })
    const reservations = (w: World) => `/api/v1/customers/${w.c1}/reservations`
    /** A reservation of C1 holding a fresh number, made by the platform admin. */
    const reservationOfC1 = (w: World) =>
      Effect.flatMap(stocked(w), (number) => created(reservations(w), { numbers: [number] })(w))
    return [
      { endpoint: "searchNumbers", method: "GET", prepare: inCatalog(() => "/api/v1/numbers?country=DE"), path: (_, p) => p, expect: everyone(200) },
      {
        endpoint: "addNumbers",
        method: "POST",
        prepare: inCatalog(() => "/api/v1/numbers"),
        path: (_, p) => p,
        body: (w) => ({
          product_id: catalogs.get(w)!.product,
          country: "DE",
          numbers: [`+49302${String(++numbers).padStart(7, "0")}`]
        }),
        expect: { ...everyone(403), platform: 201 }
      },
      { endpoint: "listReservations", method: "GET", path: reservations, expect: readC1 },
      {
        endpoint: "createReservation",
        method: "POST",
        // A number of its own for each caller, so whoever may reserve finds it available.
        prepare: (w) => Effect.map(stocked(w), (number) => {
          fresh = number
          return reservations(w)
        }),
        path: (_, p) => p,
        body: () => ({ numbers: [fresh] }),
        // Reservations are not orders: the free edition may make them too (P2 cannot reach C1: 404).
        expect: writeC1(201)
      },
      {
        endpoint: "getReservation",
        method: "GET",
        prepare: reservationOfC1,
        path: (w, id) => `${reservations(w)}/${id}`,
        expect: readC1
      },
      {
        endpoint: "deleteReservation",
        method: "DELETE",
        prepare: reservationOfC1,
        path: (w, id) => `${reservations(w)}/${id}`,
        expect: writeC1(204)
      }
    ]
  })(),
  // Orders, subscriptions and events. C1's orders and subscriptions are made by the platform
  // admin; rows marked "edition" act on C2, a customer of the free partner P2, so P2 meets the
  // edition rule (403 edition_forbidden) rather than the scope rule (404).
  ...((): ReadonlyArray<Row> => {
    interface Ordering {
      readonly c2: string
      /** A published plan of a product without characteristics, and a published add-on plan of it. */
      readonly plan: string
      readonly addon: string
      /** A completed order of C1 and the subscription it created. */
      readonly order: string
      readonly subscription: string
      /** A draft of C1 that rows add items to. */
      readonly draft: string
    }
    const orderings = new WeakMap<World, Ordering>()
    let orderingNames = 0
    const data = (answer: Effect.Effect.Success<ReturnType<typeof call>>, status = 200) => expectData(answer, status)
    const draftOf = (customer: string) =>
      Effect.map(call("POST", "/api/v1/orders", { body: { customer_id: customer } }), (a) => data(a, 201).id as string)
    const withItem = (plan: string, quantity = 1, parent?: string) => (order: string) =>
      Effect.as(
        Effect.map(
          call("POST", `/api/v1/orders/${order}/items`, {
            body: { plan_id: plan, quantity, ...(parent === undefined ? {} : { parent_subscription_id: parent }) }
          }),
          (a) => data(a, 201)
        ),
        order
      )
    /** A subscription of `customer` to `plan`, through an order the platform admin checks out. */
    const subscriptionOf = (customer: string, plan: string, quantity = 1, parent?: string) =>
      Effect.gen(function* () {
        const order = yield* Effect.flatMap(draftOf(customer), withItem(plan, quantity, parent))
        const done = data(yield* call("POST", `/api/v1/orders/${order}/checkout`))
        return { order, subscription: done.items[0].subscription_id as string }
      })
    const orderingOf = (w: World) =>
      Effect.gen(function* () {
        const cached = orderings.get(w)
        if (cached !== undefined) return cached
        const n = ++orderingNames
        // P2 creates its own customer (a free partner may; only ordering is refused).
        const c2 = data(yield* call("POST", "/api/v1/customers", { key: w.keys.partnerFree, body: { name: "C2" } }), 201).id
        const product = data(yield* call("POST", "/api/v1/products", { body: { name: `Access service ${n}`, type: "service" } }), 201).id
        const plan = (name: string, addons: ReadonlyArray<string>) =>
          Effect.gen(function* () {
            const id = data(yield* call("POST", "/api/v1/plans", {
              body: {
                product_id: product,
                name,
                price: { amount: "5.00", currency: "EUR" },
                billing_interval: "month",
                addon_plan_ids: addons
              }
            }), 201).id as string
            data(yield* call("POST", `/api/v1/plans/${id}/publish`))
            return id
          })
        const addon = yield* plan(`Access add-on ${n}`, [])
        const main = yield* plan(`Access service plan ${n}`, [addon])
        const { order, subscription } = yield* subscriptionOf(w.c1, main, 5)
        const ordering: Ordering = { c2, plan: main, addon, order, subscription, draft: yield* draftOf(w.c1) }
        orderings.set(w, ordering)
        return ordering
      })
    /** A path needing the ordering world, made first (a row's `prepare`). */
    const inOrdering = (path: (o: Ordering, w: World) => string) => (w: World) =>
      Effect.map(orderingOf(w), (o) => path(o, w))
    /** Made anew for each caller: a draft of the customer, with an item when `item` is set. */
    const freshDraft = (customer: (o: Ordering, w: World) => string, item: boolean) => (w: World) =>
      Effect.gen(function* () {
        const o = yield* orderingOf(w)
        const draft = yield* draftOf(customer(o, w))
        return item ? yield* withItem(o.plan)(draft) : draft
      })
    /** Made anew for each caller: a subscription (quantity 5) of the customer. */
    const freshSubscription = (customer: (o: Ordering, w: World) => string) => (w: World) =>
      Effect.gen(function* () {
        const o = yield* orderingOf(w)
        return (yield* subscriptionOf(customer(o, w), o.plan, 5)).subscription
      })
    /** Made anew for each caller: a subscription of the customer with an add-on, as `parent/addon`. */
    const freshAddon = (customer: (o: Ordering, w: World) => string) => (w: World) =>
      Effect.gen(function* () {
        const o = yield* orderingOf(w)
        const parent = (yield* subscriptionOf(customer(o, w), o.plan)).subscription
        const addon = (yield* subscriptionOf(customer(o, w), o.addon, 1, parent)).subscription
        return `${parent}/addons/${addon}`
      })
    const c1 = (_: Ordering, w: World) => w.c1
    const c2 = (o: Ordering) => o.c2
    /** A change to something of C2 (P2's customer): P2 meets the edition rule, P1's callers cannot reach it. */
    const edition = (status: number): Expected => ({ ...everyone(404), platform: status, distributor: status, partnerFree: 403 })
    const subscriptions = "/api/v1/subscriptions"
    return [
      { endpoint: "listOrders", method: "GET", path: () => "/api/v1/orders", expect: everyone(200) },
      {
        endpoint: "createOrder",
        method: "POST",
        path: () => "/api/v1/orders",
        body: (w) => ({ customer_id: w.c1 }),
        // Partners outside P1 are told customer_id is not theirs.
        expect: { ...writeC1(201), partnerFree: 422, foreignPartner: 422 }
      },
      {
        endpoint: "createOrder",
        method: "POST",
        prepare: inOrdering(() => "/api/v1/orders"),
        path: (_, p) => p,
        body: (w) => ({ customer_id: orderings.get(w)!.c2 }),
        // Edition: C2 is P2's own customer.
        expect: { ...everyone(422), platform: 201, distributor: 201, partnerFree: 403 }
      },
      { endpoint: "getOrder", method: "GET", prepare: inOrdering((o) => `/api/v1/orders/${o.order}`), path: (_, p) => p, expect: readC1 },
      {
        endpoint: "cancelOrder",
        method: "DELETE",
        prepare: freshDraft(c1, false),
        path: (_, id) => `/api/v1/orders/${id}`,
        expect: writeC1(204)
      },
      {
        endpoint: "cancelOrder",
        method: "DELETE",
        prepare: freshDraft(c2, false),
        path: (_, id) => `/api/v1/orders/${id}`,
        expect: edition(204)
      },
      {
        endpoint: "addOrderItem",
        method: "POST",
        prepare: inOrdering((o) => `/api/v1/orders/${o.draft}/items`),
        path: (_, p) => p,
        body: (w) => ({ plan_id: orderings.get(w)!.plan, quantity: 1 }),
        expect: writeC1(201)
      },
      {
        endpoint: "addOrderItem",
        method: "POST",
        prepare: (w) => Effect.map(freshDraft(c2, false)(w), (id) => `/api/v1/orders/${id}/items`),
        path: (_, p) => p,
        body: (w) => ({ plan_id: orderings.get(w)!.plan, quantity: 1 }),
        expect: edition(201)
      },
      {
        endpoint: "checkoutOrder",
        method: "POST",
        prepare: freshDraft(c1, true),
        path: (_, id) => `/api/v1/orders/${id}/checkout`,
        expect: writeC1(200)
      },
      {
        endpoint: "checkoutOrder",
        method: "POST",
        prepare: freshDraft(c2, true),
        path: (_, id) => `/api/v1/orders/${id}/checkout`,
        expect: edition(200)
      },
      { endpoint: "listCustomerOrders", method: "GET", path: (w) => `/api/v1/customers/${w.c1}/orders`, expect: readC1 },
      {
        endpoint: "getCustomerOrder",
        method: "GET",
        prepare: inOrdering((o, w) => `/api/v1/customers/${w.c1}/orders/${o.order}`),
        path: (_, p) => p,
        expect: readC1
      },
      {
        endpoint: "cancelCustomerOrder",
        method: "DELETE",
        prepare: freshDraft(c1, false),
        path: (w, id) => `/api/v1/customers/${w.c1}/orders/${id}`,
        expect: writeC1(204)
      },
      {
        endpoint: "cancelCustomerOrder",
        method: "DELETE",
        prepare: (w) => Effect.map(freshDraft(c2, false)(w), (id) => `/api/v1/customers/${orderings.get(w)!.c2}/orders/${id}`),
        path: (_, p) => p,
        expect: edition(204)
      },
      // Subscriptions
      { endpoint: "listSubscriptions", method: "GET", path: () => subscriptions, expect: everyone(200) },
      ...(["", "/characteristics", "/currentInstallmentplan", "/customfields"] as const).map((tail): Row => ({
        endpoint: {
          "": "getSubscription",
          "/characteristics": "getSubscriptionCharacteristics",
          "/currentInstallmentplan": "getInstallmentPlan",
          "/customfields": "getCustomFields"
        }[tail],
        method: "GET",
        prepare: inOrdering((o) => `${subscriptions}/${o.subscription}${tail}`),
        path: (_, p) => p,
        expect: readC1
      })),
      ...([["updateSubscription", "", { name: "Renamed" }], ["updateCustomFields", "/customfields", { po: "42" }]] as const)
        .flatMap(([endpoint, tail, body]): ReadonlyArray<Row> => [
          {
            endpoint,
            method: "PUT",
            prepare: inOrdering((o) => `${subscriptions}/${o.subscription}${tail}`),
            path: (_, p) => p,
            body: () => body,
            expect: writeC1(200)
          },
          {
            endpoint,
            method: "PUT",
            prepare: (w) => Effect.map(freshSubscription(c2)(w), (id) => `${subscriptions}/${id}${tail}`),
            path: (_, p) => p,
            body: () => body,
            expect: edition(200)
          }
        ]),
      ...([["cancelSubscription", "/cancel", { when: "immediately" }, 200], ["requestQuantityDecrease", "/quantity", { quantity: 1 }, 202]] as const)
        .flatMap(([endpoint, tail, body, status]): ReadonlyArray<Row> => [
          {
            endpoint,
            method: "POST",
            prepare: freshSubscription(c1),
            path: (_, id) => `${subscriptions}/${id}${tail}`,
            body: () => body,
            expect: writeC1(status)
          },
          {
            endpoint,
            method: "POST",
            prepare: freshSubscription(c2),
            path: (_, id) => `${subscriptions}/${id}${tail}`,
            body: () => body,
            expect: edition(status)
          }
        ]),
      {
        endpoint: "getQuantityRequest",
        method: "GET",
        prepare: (w) =>
          Effect.gen(function* () {
            const id = yield* freshSubscription(c1)(w)
            const request = data(yield* call("POST", `${subscriptions}/${id}/quantity`, { body: { quantity: 2 } }), 202)
            return `${subscriptions}/${id}/quantityrequest/${request.request_id}`
          }),
        path: (_, p) => p,
        expect: readC1
      },
      {
        endpoint: "cancelAddonAtPeriodEnd",
        method: "POST",
        prepare: freshAddon(c1),
        path: (_, p) => `${subscriptions}/${p}/cancelendofbillingperiod`,
        expect: writeC1(200)
      },
      {
        endpoint: "cancelAddonAtPeriodEnd",
        method: "POST",
        prepare: freshAddon(c2),
        path: (_, p) => `${subscriptions}/${p}/cancelendofbillingperiod`,
        expect: edition(200)
      },
      // Activations: networks, SSIDs and devices of C1's subscription (made by the platform admin).
      ...((): ReadonlyArray<Row> => {
        const post = (path: string, body: unknown) =>
          Effect.map(call("POST", path, { body }), (a) => data(a, 201).id as string)
        const activations = new WeakMap<World, { readonly network: string; readonly ssid: string; readonly device: string }>()
        const base = (o: Ordering) => `${subscriptions}/${o.subscription}`
        /** A network, an SSID and a device of C1's subscription, made once per world. */
        const activationsOf = (w: World) =>
          Effect.gen(function* () {
            const cached = activations.get(w)
            if (cached !== undefined) return { ...cached, base: base(yield* orderingOf(w)) }
            const o = yield* orderingOf(w)
            const network = yield* post(`${base(o)}/networks`, { name: "Site" })
            const ssid = yield* post(`${base(o)}/ssids`, { name: "Guest", network_id: network })
            const device = yield* post(`${base(o)}/networks/${network}/devices`, { name: "AP" })
            activations.set(w, { network, ssid, device })
            return { network, ssid, device, base: base(o) }
          })
        const inActivations = (path: (a: Effect.Effect.Success<ReturnType<typeof activationsOf>>) => string) => (w: World) =>
          Effect.map(activationsOf(w), path)
        /** Made anew for each caller: a network of C1's subscription (with a device when asked), as its path. */
        const freshNetwork = (w: World) =>
          Effect.gen(function* () {
            const o = yield* orderingOf(w)
            return `${base(o)}/networks/${yield* post(`${base(o)}/networks`, { name: "Fresh" })}`
          })
        const freshSsid = (w: World) =>
          Effect.gen(function* () {
            const o = yield* orderingOf(w)
            return `${base(o)}/ssids/${yield* post(`${base(o)}/ssids`, { name: "Fresh" })}`
          })
        const freshDevice = (w: World) =>
          Effect.gen(function* () {
            const a = yield* activationsOf(w)
            const devices = `${a.base}/networks/${a.network}/devices`
            return `${devices}/${yield* post(devices, { name: "Fresh" })}`
          })
        /** Made anew for each caller: a subscription of C2 (P2's, free edition), as its path. */
        const c2Subscription = (w: World) => Effect.map(freshSubscription(c2)(w), (id) => `${subscriptions}/${id}`)
        return [
          { endpoint: "listNetworks", method: "GET", prepare: inActivations((a) => `${a.base}/networks`), path: (_, p) => p, expect: readC1 },
          { endpoint: "getNetwork", method: "GET", prepare: inActivations((a) => `${a.base}/networks/${a.network}`), path: (_, p) => p, expect: readC1 },
          { endpoint: "createNetwork", method: "POST", prepare: inActivations((a) => `${a.base}/networks`), path: (_, p) => p, body: () => ({ name: "N" }), expect: writeC1(201) },
          { endpoint: "createNetwork", method: "POST", prepare: c2Subscription, path: (_, p) => `${p}/networks`, body: () => ({ name: "N" }), expect: edition(201) },
          { endpoint: "updateNetwork", method: "PUT", prepare: inActivations((a) => `${a.base}/networks/${a.network}`), path: (_, p) => p, body: () => ({ type: "lan" }), expect: writeC1(200) },
          { endpoint: "deleteNetwork", method: "DELETE", prepare: freshNetwork, path: (_, p) => p, expect: writeC1(204) },
          { endpoint: "listSsids", method: "GET", prepare: inActivations((a) => `${a.base}/ssids`), path: (_, p) => p, expect: readC1 },
          { endpoint: "getSsid", method: "GET", prepare: inActivations((a) => `${a.base}/ssids/${a.ssid}`), path: (_, p) => p, expect: readC1 },
          { endpoint: "createSsid", method: "POST", prepare: inActivations((a) => `${a.base}/ssids`), path: (_, p) => p, body: () => ({ name: "S" }), expect: writeC1(201) },
          { endpoint: "createSsid", method: "POST", prepare: c2Subscription, path: (_, p) => `${p}/ssids`, body: () => ({ name: "S" }), expect: edition(201) },
          { endpoint: "updateSsid", method: "PUT", prepare: inActivations((a) => `${a.base}/ssids/${a.ssid}`), path: (_, p) => p, body: () => ({ hidden: true }), expect: writeC1(200) },
          { endpoint: "deleteSsid", method: "DELETE", prepare: freshSsid, path: (_, p) => p, expect: writeC1(204) },
          { endpoint: "listDevices", method: "GET", prepare: inActivations((a) => `${a.base}/networks/${a.network}/devices`), path: (_, p) => p, expect: readC1 },
          { endpoint: "getDevice", method: "GET", prepare: inActivations((a) => `${a.base}/networks/${a.network}/devices/${a.device}`), path: (_, p) => p, expect: readC1 },
          { endpoint: "createDevice", method: "POST", prepare: inActivations((a) => `${a.base}/networks/${a.network}/devices`), path: (_, p) => p, body: () => ({ name: "D" }), expect: writeC1(201) },
          { endpoint: "updateDevice", method: "PUT", prepare: inActivations((a) => `${a.base}/networks/${a.network}/devices/${a.device}`), path: (_, p) => p, body: () => ({ model: "M" }), expect: writeC1(200) },
          { endpoint: "deleteDevice", method: "DELETE", prepare: freshDevice, path: (_, p) => p, expect: writeC1(204) }
        ]
      })(),
      // Inventory views of C1 (its subscription from the ordering world)
      { endpoint: "listConnections", method: "GET", path: (w) => `/api/v1/customers/${w.c1}/connections`, expect: readC1 },
      {
        endpoint: "getConnection",
        method: "GET",
        // The ordering world's product is a service, not a connection: in scope, the connection is missing.
        prepare: inOrdering((o, w) => `/api/v1/customers/${w.c1}/connections/${o.subscription}`),
        path: (_, p) => p,
        expect: { ...readC1, platform: 404, distributor: 404, partner: 404, customerAdmin: 404, viewer: 404 }
      },
      { endpoint: "listInServiceProducts", method: "GET", path: (w) => `/api/v1/customers/${w.c1}/products`, expect: readC1 },
      {
        endpoint: "getInServiceProduct",
        method: "GET",
        prepare: (w) =>
          Effect.gen(function* () {
            const o = yield* orderingOf(w)
            const subscription = data(yield* call("GET", `${subscriptions}/${o.subscription}`))
            return `/api/v1/customers/${w.c1}/products/${subscription.product_id}`
          }),
        path: (_, p) => p,
        expect: readC1
      },
      // Number orders for C1 on the catalog world's phone-number product (Berlin). Each row's
      // prepare makes the numbers the call works on (fresh for every caller), and the body reads them.
      ...((): ReadonlyArray<Row> => {
        const base = `49309${String(Math.floor(Math.random() * 100_000)).padStart(5, "0")}`
        let counter = 0
        const fresh = (count: number) => {
          const start = counter
          counter += count
          return Array.from({ length: count }, (_, i) => `+${base}${String(start + i).padStart(4, "0")}`)
        }
        let current: ReadonlyArray<string> = []
        let reservation = ""
        const ordersOf = (customer: string, product: string) => `/api/v1/customers/${customer}/orders/${product}`
        /** Adds `count` fresh numbers to the catalog product (available); answers them. */
        const added = (w: World, count: number) =>
          Effect.gen(function* () {
            const c = yield* catalogOf(w)
            const numbers = fresh(count)
            data(yield* call("POST", "/api/v1/numbers", { body: { product_id: c.product, country: "DE", city: c.city, numbers } }), 201)
            current = numbers
            return c
          })
        /** Prepare: `count` fresh numbers; the path of the customer's number order `kind`. */
        const withNumbers = (count: number, kind: string, customer: (w: World) => Effect.Effect<string, never, HttpClient.HttpClient> = (w) => Effect.succeed(w.c1)) => (w: World) =>
          Effect.gen(function* () {
            const c = yield* added(w, count)
            return `${ordersOf(yield* customer(w), c.product)}${kind}`
          })
        /** Prepare: a fresh number assigned to C1 (by the platform admin); the path of order `kind`. */
        const withAssigned = (kind: string) => (w: World) =>
          Effect.gen(function* () {
            const c = yield* added(w, 1)
            data(yield* call("POST", `${ordersOf(w.c1, c.product)}/numbers/range`, { body: { from: current[0], to: current[0] } }), 201)
            return `${ordersOf(w.c1, c.product)}${kind}`
          })
        return [
          {
            endpoint: "orderAnyNumbers",
            method: "POST",
            prepare: withNumbers(1, "/numbers/any"),
            path: (_, p) => p,
            body: () => ({ quantity: 1, country: "DE" }),
            expect: writeC1(201)
          },
          {
            endpoint: "orderAnyNumbers",
            method: "POST",
            prepare: withNumbers(1, "/numbers/any", (w) => Effect.map(orderingOf(w), (o) => o.c2)),
            path: (_, p) => p,
            body: () => ({ quantity: 1, country: "DE" }),
            expect: edition(201)
          },
          {
            endpoint: "orderReservedNumbers",
            method: "POST",
            prepare: (w) =>
              Effect.gen(function* () {
                const c = yield* added(w, 1)
                reservation = data(yield* call("POST", `/api/v1/customers/${w.c1}/reservations`, { body: { numbers: current } }), 201).id
                return `${ordersOf(w.c1, c.product)}/numbers/reserve`
              }),
            path: (_, p) => p,
            body: () => ({ reservation_id: reservation }),
            expect: writeC1(201)
          },
          {
            endpoint: "orderNumberRange",
            method: "POST",
            prepare: withNumbers(2, "/numbers/range"),
            path: (_, p) => p,
            body: () => ({ from: current[0], to: current[1] }),
            expect: writeC1(201)
          },
          {
            endpoint: "portNumbers",
            method: "POST",
            prepare: (w) =>
              Effect.gen(function* () {
                const c = yield* catalogOf(w)
                current = fresh(1)
                return `${ordersOf(w.c1, c.product)}/numbers/port`
              }),
            path: (_, p) => p,
            body: () => ({ numbers: current, country: "DE", losing_carrier: "Other" }),
            expect: writeC1(201)
          },
          {
            endpoint: "moveNumbers",
            method: "POST",
            prepare: withAssigned("/numbers/move"),
            path: (_, p) => p,
            body: (w) => ({ numbers: current, location_id: w.location }),
            expect: writeC1(201)
          },
          {
            endpoint: "changeNumbers",
            method: "POST",
            prepare: withAssigned("/numbers/change"),
            path: (_, p) => p,
            body: () => ({ numbers: current, characteristics: { label: "desk" } }),
            expect: writeC1(201)
          },
          {
            endpoint: "deleteNumbers",
            method: "POST",
            prepare: withAssigned("/numbers/delete"),
            path: (_, p) => p,
            body: () => ({ numbers: current }),
            expect: writeC1(201)
          },
          {
            endpoint: "deleteAllNumbers",
            method: "POST",
            prepare: withAssigned("/delete"),
            path: (_, p) => p,
            expect: writeC1(201)
          },
          // Ending a port: a fresh number ported to C1 for each caller; the platform's admins only.
          ...(["complete", "cancel"] as const).map((outcome): Row => ({
            endpoint: outcome === "complete" ? "completePort" : "cancelPort",
            method: "POST",
            prepare: (w) =>
              Effect.gen(function* () {
                const c = yield* catalogOf(w)
                current = fresh(1)
                data(yield* call("POST", `${ordersOf(w.c1, c.product)}/numbers/port`, { body: { numbers: current, country: "DE" } }), 201)
                return `/api/v1/numbers/${encodeURIComponent(current[0]!)}/port/${outcome}`
              }),
            path: (_, p) => p,
            expect: { ...everyone(403), platform: 200 }
          }))
        ]
      })(),
      // Events: each caller's own scope
      { endpoint: "listEvents", method: "GET", path: () => "/api/v1/events", expect: everyone(200) },
      // The provider's configuration of a subscription of C1 (none yet) and how its pushes stand.
      {
        endpoint: "getSubscriptionProvisioning",
        method: "GET",
        prepare: inOrdering((o) => `${subscriptions}/${o.subscription}/provisioning`),
        path: (_, p) => p,
        expect: readC1
      }
    ]
  })(),
  // Provisioning targets and webhooks
  ...pushRows(),
  // Support: tickets of C1 and their comments
  ...supportRows(),
  // Usage of a subscription of C1
  ...usageRows(),
  // Payments, credit notes and the balance of C1
  ...paymentRows(),
  // Bank statements of P1 and their lines
  ...reconciliationRows(),
  // Commissions: rules of P1, set from above; the channel's summary
  ...commissionRows(),
  ...channelRows(),
  ...taxRateRows(),
  // Billing runs, finalizing a draft, the upcoming invoice
  ...billingRows(),
  // Invoices of C1: reads, void, the billing summary
  ...invoiceRows(),
  // Channel: price lists of P1, a plan's price for C1, exports, commission statements
  ...pricingRows()
]

/**
 * A finalized invoice of C1 (large enough for every caller's payment of 1.00) and a payment of it,
 * made once per world by the platform admin.
 */
function paymentRows(): ReadonlyArray<Row> {
  const invoices = new WeakMap<World, string>()
  const payments = new WeakMap<World, string>()
  const invoiceOfC1 = (w: World) =>
    Effect.gen(function* () {
      const cached = invoices.get(w)
      if (cached !== undefined) return cached
      const id = yield* finalizedInvoiceOf(w.c1, "1000.00")
      invoices.set(w, id)
      return id
      // The table's rows ask for an HTTP client only; the test server provides the database too.
    }) as unknown as Effect.Effect<string, never, HttpClient.HttpClient>
  const paymentOfC1 = (w: World) =>
    Effect.gen(function* () {
      const cached = payments.get(w)
      if (cached !== undefined) return cached
      const invoice_id = yield* invoiceOfC1(w)
      const id = expectData(
        yield* call("POST", "/api/v1/payments", { body: { invoice_id, amount: { amount: "1.00", currency: "EUR" } } }),
        201
      ).id as string
      payments.set(w, id)
      return id
    })
  return [
    { endpoint: "listPayments", method: "GET", path: () => "/api/v1/payments", expect: everyone(200) },
    {
      endpoint: "recordPayment",
      method: "POST",
      prepare: invoiceOfC1,
      path: () => "/api/v1/payments",
      body: (w) => ({ invoice_id: invoices.get(w), amount: { amount: "1.00", currency: "EUR" } }),
      // The channel's admins and managers record money received; a customer pays through a gateway,
      // never by recording it. Out of scope the invoice does not exist.
      expect: { ...writeC1(201), customerAdmin: 403, partnerFree: 422, foreignPartner: 422 }
    },
    { endpoint: "getPayment", method: "GET", prepare: paymentOfC1, path: (_, id) => `/api/v1/payments/${id}`, expect: readC1 },
    {
      endpoint: "refundPayment",
      method: "POST",
      // A payment of its own for each caller, refunded whole.
      prepare: (w) =>
        Effect.gen(function* () {
          const invoice_id = yield* invoiceOfC1(w)
          return expectData(
            yield* call("POST", "/api/v1/payments", { body: { invoice_id, amount: { amount: "1.00", currency: "EUR" } } }),
            201
          ).id as string
        }),
      path: (_, id) => `/api/v1/payments/${id}/refund`,
      // The issuer's admins give money back: not managers or viewers, not the customer.
      expect: { ...readC1, platform: 201, distributor: 201, partner: 201, customerAdmin: 403, viewer: 403 }
    },
    { endpoint: "listCredits", method: "GET", path: () => "/api/v1/credits", expect: everyone(200) },
    { endpoint: "listCreditNotes", method: "GET", path: () => "/api/v1/credit-notes", expect: everyone(200) },
    {
      endpoint: "getCreditNote",
      method: "GET",
      // A note on C1's unpaid invoice: no spendable credit that would pay the table's later invoices.
      prepare: (w) =>
        Effect.flatMap(invoiceOfC1(w), (invoice) =>
          Effect.map(
            call("POST", `/api/v1/invoices/${invoice}/credit-notes`, { body: { amount: { amount: "0.01", currency: "EUR" }, reason: "Goodwill" } }),
            (a) => expectData(a, 201).id as string
          )),
      path: (_, id) => `/api/v1/credit-notes/${id}`,
      expect: readC1
    },
    // Its documents: whoever may read the credit note (one on C1's unpaid invoice, as above).
    ...(["pdf", "ubl"] as const).map((kind): Row => ({
      endpoint: kind === "pdf" ? "getCreditNotePdf" : "getCreditNoteUbl",
      method: "GET",
      prepare: (w) =>
        Effect.flatMap(invoiceOfC1(w), (invoice) =>
          Effect.map(
            call("POST", `/api/v1/invoices/${invoice}/credit-notes`, { body: { amount: { amount: "0.01", currency: "EUR" }, reason: "Goodwill" } }),
            (a) => expectData(a, 201).id as string
          )),
      path: (_, id) => `/api/v1/credit-notes/${id}/${kind}`,
      expect: readC1
    })),
    {
      endpoint: "createInvoiceCreditNote",
      method: "POST",
      prepare: invoiceOfC1,
      path: (_, id) => `/api/v1/invoices/${id}/credit-notes`,
      body: () => ({ amount: { amount: "1.00", currency: "EUR" }, reason: "Goodwill" }),
      // The issuer's admins credit its invoices: not managers or viewers, not the customer.
      expect: { ...readC1, platform: 201, distributor: 201, partner: 201, customerAdmin: 403, viewer: 403 }
    },
    {
      endpoint: "grantCredit",
      method: "POST",
      path: () => "/api/v1/credits",
      body: (w) => ({ customer_id: w.c1, amount: { amount: "1.00", currency: "EUR" }, reason: "Goodwill" }),
      // Admins of the channel only: not the customer itself.
      expect: { ...writeC1(201), customerAdmin: 403, partnerFree: 422, foreignPartner: 422 }
    },
    {
      endpoint: "getCustomerBalance",
      method: "GET",
      path: (w) => `/api/v1/customers/${w.c1}/balance`,
      expect: readC1
    }
  ]
}

/**
 * Bank statements: imported by the channel's admins and managers (each account once: a second
 * import of the same statement by the same account would answer 200), read by the channel, P1's
 * statement made once per world; a fresh unmatched line of P1 and a fresh invoice of C1 for each
 * assignment. Customers may call none of these.
 */
function reconciliationRows(): ReadonlyArray<Row> {
  const statements = new WeakMap<World, string>()
  let made = 0
  let invoice = ""
  const csvOf = (reference: string, amount = "5.00") =>
    `date,amount,currency,reference,counterparty\n2026-11-20,${amount},EUR,${reference},Access test\n`
  const importedByP1 = (w: World, reference: string) =>
    Effect.map(
      call("POST", "/api/v1/reconciliation/statements", { key: w.keys.partner, raw: csvOf(reference), contentType: "text/csv" }),
      (answer) => expectData(answer, 201)
    )
  const statementOfP1 = (w: World) =>
    Effect.gen(function* () {
      const cached = statements.get(w)
      if (cached !== undefined) return cached
      const id = (yield* importedByP1(w, "access-statement")).id as string
      statements.set(w, id)
      return id
    })
  const unmatchedLineOfP1 = (w: World) =>
    Effect.gen(function* () {
      invoice = yield* finalizedInvoiceOf(w.c1, "5.00")
      return (yield* importedByP1(w, `access-line-${++made}`)).lines[0].id as string
      // The table's rows ask for an HTTP client only; the test server provides the database too.
    }) as unknown as Effect.Effect<string, never, HttpClient.HttpClient>
  const channelOnly = { customerAdmin: 403 }
  return [
    {
      endpoint: "importStatement",
      method: "POST",
      path: () => "/api/v1/reconciliation/statements",
      document: { contentType: "text/csv", text: () => csvOf("access-import", "1.00") },
      expect: { ...everyone(201), ...channelOnly, viewer: 403 }
    },
    { endpoint: "listStatements", method: "GET", path: () => "/api/v1/reconciliation/statements", expect: { ...everyone(200), ...channelOnly } },
    {
      endpoint: "getStatement",
      method: "GET",
      prepare: statementOfP1,
      path: (_, id) => `/api/v1/reconciliation/statements/${id}`,
      expect: { ...readC1, ...channelOnly }
    },
    {
      endpoint: "assignLine",
      method: "POST",
      prepare: unmatchedLineOfP1,
      path: (_, id) => `/api/v1/reconciliation/lines/${id}/assign`,
      body: () => ({ invoice_id: invoice }),
      expect: { ...writeC1(200), ...channelOnly }
    }
  ]
}

/** Tax rates: every caller reads the table; platform admins write it. Each row a validity of its own. */
function taxRateRows(): ReadonlyArray<Row> {
  let years = 0
  const body = () => {
    const year = 2100 + ++years
    return { country: "ZZ", category: "standard", rate: "10.0", valid_from: `${year}-01-01`, valid_to: `${year + 1}-01-01` }
  }
  const rate = () => Effect.map(call("POST", "/api/v1/tax-rates", { body: body() }), (a) => expectData(a, 201).id as string)
  return [
    { endpoint: "listTaxRates", method: "GET", path: () => "/api/v1/tax-rates", expect: everyone(200) },
    { endpoint: "createTaxRate", method: "POST", path: () => "/api/v1/tax-rates", body, expect: platformWrites(201) },
    { endpoint: "getTaxRate", method: "GET", prepare: rate, path: (_, id) => `/api/v1/tax-rates/${id}`, expect: everyone(200) },
    {
      endpoint: "updateTaxRate",
      method: "PUT",
      prepare: rate,
      path: (_, id) => `/api/v1/tax-rates/${id}`,
      body: () => ({ rate: "11.0" }),
      expect: platformWrites(200)
    },
    { endpoint: "deleteTaxRate", method: "DELETE", prepare: rate, path: (_, id) => `/api/v1/tax-rates/${id}`, expect: platformWrites(204) }
  ]
}

/** A commission rule of P1, made once per world by the platform admin; customers may not call any of these. */
function commissionRows(): ReadonlyArray<Row> {
  const rules = new WeakMap<World, string>()
  const ruleOfP1 = (w: World) =>
    Effect.gen(function* () {
      const cached = rules.get(w)
      if (cached !== undefined) return cached
      const id = expectData(
        yield* call("POST", "/api/v1/commissions/rules", { body: { account_id: w.p1, percentage: "10", effective_from: "2026-01-01" } }),
        201
      ).id as string
      rules.set(w, id)
      return id
    })
  return [
    { endpoint: "listCommissionRules", method: "GET", path: () => "/api/v1/commissions/rules", expect: { ...everyone(200), customerAdmin: 403 } },
    {
      endpoint: "createCommissionRule",
      method: "POST",
      path: () => "/api/v1/commissions/rules",
      body: (w) => ({ account_id: w.p1, percentage: "10", effective_from: "2026-01-01" }),
      // Set by an admin above P1; P1 itself may not, whatever its role. A partner admin that does
      // not reach P1 is told account_id names no account it may reward (422, as every id in a body).
      expect: {
        ...everyone(404), platform: 201, distributor: 201, partner: 403, viewer: 403, customerAdmin: 403,
        partnerFree: 422, foreignPartner: 422
      }
    },
    {
      endpoint: "getCommissionRule",
      method: "GET",
      prepare: ruleOfP1,
      path: (_, id) => `/api/v1/commissions/rules/${id}`,
      expect: { ...readC1, customerAdmin: 403 }
    },
    {
      endpoint: "getCommissionSummary",
      method: "GET",
      path: () => "/api/v1/commissions/summary?period=2026-11",
      expect: { ...everyone(200), customerAdmin: 403 }
    }
  ]
}

/**
 * A subscription of C1 to a plan metering the world's SKU, made once per world by the platform
 * admin. Usage is reported by the channel's systems (not viewers, not customers); a record for a
 * subscription out of the caller's scope is rejected in the answer, not refused.
 */
function usageRows(): ReadonlyArray<Row> {
  const subscriptionsOfWorld = new WeakMap<World, string>()
  let reported = 0
  const subscriptionOfC1 = (w: World) =>
    Effect.gen(function* () {
      const cached = subscriptionsOfWorld.get(w)
      if (cached !== undefined) return cached
      const c = yield* catalogOf(w)
      const product = expectData(
        yield* call("POST", "/api/v1/products", { body: { name: `Access metered ${++catalogNames}`, type: "service" } }),
        201
      ).id as string
      const plan = expectData(yield* call("POST", "/api/v1/plans", { body: planBody(product, c.sku) }), 201).id as string
      expectData(yield* call("POST", `/api/v1/plans/${plan}/publish`))
      const order = expectData(yield* call("POST", "/api/v1/orders", { body: { customer_id: w.c1 } }), 201).id as string
      expectData(yield* call("POST", `/api/v1/orders/${order}/items`, { body: { plan_id: plan, quantity: 1 } }), 201)
      const id = expectData(yield* call("POST", `/api/v1/orders/${order}/checkout`)).items[0].subscription_id as string
      subscriptionsOfWorld.set(w, id)
      return id
    })
  return [
    {
      endpoint: "ingestUsage",
      method: "POST",
      prepare: subscriptionOfC1,
      path: () => "/api/v1/usage",
      body: (w) => ({
        records: [{
          transaction_id: `access-${++reported}`,
          subscription_id: subscriptionsOfWorld.get(w),
          sku_id: catalogs.get(w)?.sku,
          quantity: "1",
          occurred_at: "2020-01-01T00:00:00Z"
        }]
      }),
      expect: { ...everyone(200), customerAdmin: 403, viewer: 403 }
    },
    {
      endpoint: "getUsage",
      method: "GET",
      prepare: subscriptionOfC1,
      path: (_, id) => `/api/v1/usage?subscription_id=${id}&group_by=day`,
      expect: readC1
    }
  ]
}

/** A ticket of C1, made once per world by the platform admin. */
function supportRows(): ReadonlyArray<Row> {
  const tickets = new WeakMap<World, string>()
  const ticketOfC1 = (w: World) =>
    Effect.gen(function* () {
      const cached = tickets.get(w)
      if (cached !== undefined) return cached
      const id = expectData(
        yield* call("POST", "/api/v1/tickets", { body: { customer_id: w.c1, subject: "S", description: "D" } }),
        201
      ).id as string
      tickets.set(w, id)
      return id
    })
  return [
    { endpoint: "listTickets", method: "GET", path: () => "/api/v1/tickets", expect: everyone(200) },
    {
      endpoint: "createTicket",
      method: "POST",
      path: () => "/api/v1/tickets",
      body: (w) => ({ customer_id: w.c1, subject: "S", description: "D" }),
      expect: { ...writeC1(201), partnerFree: 422, foreignPartner: 422 }
    },
    { endpoint: "getTicket", method: "GET", prepare: ticketOfC1, path: (_, id) => `/api/v1/tickets/${id}`, expect: readC1 },
    {
      endpoint: "updateTicket",
      method: "PUT",
      prepare: ticketOfC1,
      path: (_, id) => `/api/v1/tickets/${id}`,
      body: () => ({ priority: "high" }),
      expect: writeC1(200)
    },
    {
      endpoint: "listTicketComments",
      method: "GET",
      prepare: ticketOfC1,
      path: (_, id) => `/api/v1/tickets/${id}/comments`,
      expect: readC1
    },
    {
      endpoint: "createTicketComment",
      method: "POST",
      prepare: ticketOfC1,
      path: (_, id) => `/api/v1/tickets/${id}/comments`,
      body: () => ({ body: "Any news?" }),
      expect: writeC1(201)
    }
  ]
}

/**
 * Push configuration: the catalog product's provisioning target (set up once per world by the
 * platform admin) is the platform admins' alone: anyone else finds none (404). The webhook rows
 * work on a webhook of P1, made anew for each caller by the platform admin narrowed to P1.
 */
function pushRows(): ReadonlyArray<Row> {
  const hook = { url: "https://receiver.example/provisio", events: ["subscription.*"] }
  const targets = new WeakSet<World>()
  const withTarget = (w: World) =>
    Effect.gen(function* () {
      const path = `/api/v1/products/${(yield* catalogOf(w)).product}/provisioning`
      if (!targets.has(w)) {
        expectData(yield* call("PUT", path, { body: { base_url: "https://provider.example/provisio" } }))
        targets.add(w)
      }
      return path
    })
  const webhookOfP1 = (w: World) =>
    Effect.map(
      call("POST", "/api/v1/webhooks", { headers: { "x-tenant-id": w.p1 }, body: hook }),
      (answer) => expectData(answer, 201).id as string
    )
  const ofP1: Expected = { ...everyone(404), platform: 200, distributor: 200, partner: 200, viewer: 200 }
  return [
    {
      endpoint: "getProductProvisioning",
      method: "GET",
      prepare: withTarget,
      path: (_, p) => p,
      // It holds the provider's address and the secret it trusts: nobody below the platform sees it.
      expect: { ...everyone(404), platform: 200 }
    },
    {
      endpoint: "updateProductProvisioning",
      method: "PUT",
      prepare: withTarget,
      path: (_, p) => p,
      body: () => ({ timeout_ms: 5000 }),
      expect: { ...everyone(404), platform: 200 }
    },
    { endpoint: "listWebhooks", method: "GET", path: () => "/api/v1/webhooks", expect: everyone(200) },
    {
      endpoint: "createWebhook",
      method: "POST",
      path: () => "/api/v1/webhooks",
      body: () => hook,
      // Owned by the caller's own account, whichever it is.
      expect: { ...everyone(201), viewer: 403 }
    },
    { endpoint: "getWebhook", method: "GET", prepare: webhookOfP1, path: (_, id) => `/api/v1/webhooks/${id}`, expect: ofP1 },
    {
      endpoint: "updateWebhook",
      method: "PUT",
      prepare: webhookOfP1,
      path: (_, id) => `/api/v1/webhooks/${id}`,
      body: () => ({ enabled: false }),
      expect: { ...ofP1, viewer: 403 }
    },
    {
      endpoint: "deleteWebhook",
      method: "DELETE",
      prepare: webhookOfP1,
      path: (_, id) => `/api/v1/webhooks/${id}`,
      expect: { ...ofP1, platform: 204, distributor: 204, partner: 204, viewer: 403 }
    },
    // Dunning policy: the caller's own account's; customers have none. The body is the
    // platform's default, so the platform admin's write changes nothing other tests see.
    { endpoint: "getDunningPolicy", method: "GET", path: () => "/api/v1/dunning-policy", expect: { ...everyone(200), customerAdmin: 403 } },
    {
      endpoint: "updateDunningPolicy",
      method: "PUT",
      path: () => "/api/v1/dunning-policy",
      body: () => ({
        retry_days: [1, 3, 5, 7],
        stages: [{ stage: "reminder", days_past_due: 1 }, { stage: "warning", days_past_due: 7 }, { stage: "suspend", days_past_due: 14 }],
        bill_while_suspended: true
      }),
      expect: { ...everyone(200), customerAdmin: 403, viewer: 403, partnerFree: 403 }
    },
    // A payment gateway calling in: no bearer token (one sent is not looked at), the signature is
    // the credential; none here, and no webhook secret configured: 400 whoever calls.
    {
      endpoint: "receiveStripeWebhook",
      method: "POST",
      path: () => "/api/v1/gateways/stripe/webhooks",
      body: () => ({ id: "evt_access", object: "event", type: "payment_intent.succeeded", data: { object: {} } }),
      expect: { ...everyone(400), anonymous: 400, revoked: 400, expired: 400 }
    },
    // Deliveries: those of the events of the caller's scope.
    { endpoint: "listDeliveries", method: "GET", path: () => "/api/v1/deliveries", expect: everyone(200) },
    { endpoint: "getDeliveryStats", method: "GET", path: () => "/api/v1/deliveries/stats", expect: everyone(200) },
    { endpoint: "getDelivery", method: "GET", prepare: deliveryOfC1, path: (_, id) => `/api/v1/deliveries/${id}`, expect: readC1 },
    {
      endpoint: "replayDelivery",
      method: "POST",
      prepare: deliveryOfC1,
      path: (_, id) => `/api/v1/deliveries/${id}/replay`,
      // The delivery is still pending (no worker runs here): whoever may replay it is told 409.
      expect: writeC1(409)
    }
  ]
}

/**
 * A webhook delivery of an event of C1 (made once per world): a webhook of P1 for `order.*`, a
 * draft order of C1, and the dispatcher run once (no call is sent).
 */
const deliveriesOfWorld = new WeakMap<World, string>()
function deliveryOfC1(w: World): Effect.Effect<string, never, HttpClient.HttpClient> {
  return Effect.gen(function* () {
    const cached = deliveriesOfWorld.get(w)
    if (cached !== undefined) return cached
    const hook = expectData(yield* call("POST", "/api/v1/webhooks", {
      headers: { "x-tenant-id": w.p1 },
      body: { url: "https://receiver.example/orders", events: ["order.*"] }
    }), 201).id as string
    expectData(yield* call("POST", "/api/v1/orders", { body: { customer_id: w.c1 } }), 201)
    yield* Effect.orDie(Effect.flatMap(Deliveries, (deliveries) => deliveries.dispatch))
    const listed = expectData(yield* call("GET", `/api/v1/deliveries?target=${hook}`))
    const id = listed[0].id as string
    deliveriesOfWorld.set(w, id)
    return id
  }) as Effect.Effect<string, never, HttpClient.HttpClient>
}

describe("access", () => {
  it("the table covers every endpoint of the contract", () => {
    const endpoints = Object.values(ProvisioApi.groups)
      .filter((group) => group.identifier !== "ops")
      .flatMap((group) => Object.keys(group.endpoints))
    const covered = new Set(ROWS.map((row) => row.endpoint))
    expect(endpoints.filter((name) => !covered.has(name))).toEqual([])
  })

  // The platform admin makes every row's world on a clock that stands still: its rate limit would
  // run out long before the table does, and limits are not what this test is about.
  it.layer(withSettings({ PROVISIO_RATE_LIMIT_ADMIN: "off" })(TestServer))("every endpoint as every caller", (it) => {
    // One world for the whole table (rows that destroy their target prepare a fresh one): it costs
    // password hashes and sign-ins, and the block shares one database and one TestClock.
    let shared: World | undefined
    for (const row of ROWS) {
      it.effect(`${row.method} ${row.endpoint}`, () =>
        Effect.gen(function* () {
          const w = shared ?? (shared = yield* world)
          const mismatches: Array<string> = []
          for (const caller of CALLERS) {
            const prepared = row.prepare ? yield* row.prepare(w) : ""
            const answer = yield* call(row.method, row.path(w, prepared), {
              key: w.keys[caller],
              ...(row.document === undefined ? { body: row.body?.(w) } : { raw: row.document.text(w), contentType: row.document.contentType })
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

/** A billing run started by P1's admin (so P1's channel sees it), once per world; a draft of C1 per caller. */
function billingRows(): ReadonlyArray<Row> {
  const runs = new WeakMap<World, string>()
  const runOfP1 = (w: World) =>
    Effect.gen(function* () {
      const cached = runs.get(w)
      if (cached !== undefined) return cached
      const id = expectData(
        yield* call("POST", "/api/v1/billing/runs", { key: w.keys.partner, body: { period: "2000-02" } }),
        202
      ).id as string
      runs.set(w, id)
      return id
    })
  return [
    {
      endpoint: "startBillingRun",
      method: "POST",
      path: () => "/api/v1/billing/runs",
      // A month with nothing to bill: the runs work on after the answer, beside the other rows.
      body: () => ({ period: "2000-01" }),
      // Admins of the channel bill their own scope; customers and non-admins may not.
      expect: { ...everyone(202), customerAdmin: 403, viewer: 403 }
    },
    { endpoint: "listBillingRuns", method: "GET", path: () => "/api/v1/billing/runs", expect: everyone(200) },
    { endpoint: "getBillingRun", method: "GET", prepare: runOfP1, path: (_, id) => `/api/v1/billing/runs/${id}`, expect: { ...readC1, customerAdmin: 404 } },
    {
      endpoint: "finalizeInvoice",
      method: "POST",
      prepare: (w) => draftInvoiceOf(w.c1, "10.00") as unknown as Effect.Effect<string, never, HttpClient.HttpClient>,
      path: (_, id) => `/api/v1/invoices/${id}/finalize`,
      // Admins of the issuing channel only.
      expect: { ...readC1, customerAdmin: 403, viewer: 403 }
    },
    {
      endpoint: "getUpcomingInvoice",
      method: "GET",
      path: (w) => `/api/v1/customers/${w.c1}/upcoming-invoice`,
      expect: readC1
    }
  ]
}

/**
 * A finalized invoice of C1 for the reads (made once per world), a fresh one for each void (a
 * void invoice cannot be voided again), both by the Invoices service over the test database.
 */
function invoiceRows(): ReadonlyArray<Row> {
  const invoices = new WeakMap<World, string>()
  const freshInvoiceOfC1 = (w: World) =>
    // The table runs inside TestServer, which provides the database and the services.
    finalizedInvoice({ customerId: w.c1, lines: [chargeOf("10.00")] }) as unknown as Effect.Effect<string, never, HttpClient.HttpClient>
  const invoiceOfC1 = (w: World) =>
    Effect.gen(function* () {
      const cached = invoices.get(w)
      if (cached !== undefined) return cached
      const id = yield* freshInvoiceOfC1(w)
      invoices.set(w, id)
      return id
    })
  return [
    { endpoint: "listInvoices", method: "GET", path: () => "/api/v1/invoices", expect: everyone(200) },
    { endpoint: "getInvoice", method: "GET", prepare: invoiceOfC1, path: (_, id) => `/api/v1/invoices/${id}`, expect: readC1 },
    {
      endpoint: "voidInvoice",
      method: "POST",
      prepare: freshInvoiceOfC1,
      path: (_, id) => `/api/v1/invoices/${id}/void`,
      // Admins of the issuing channel only.
      expect: { ...readC1, customerAdmin: 403, viewer: 403 }
    },
    {
      endpoint: "updateInvoice",
      method: "PUT",
      prepare: freshInvoiceOfC1,
      path: (_, id) => `/api/v1/invoices/${id}`,
      body: () => ({ disputed: true }),
      // Writers of the issuing channel; the customer itself may not.
      expect: { ...readC1, customerAdmin: 403, viewer: 403 }
    },
    { endpoint: "listCustomerInvoices", method: "GET", path: (w) => `/api/v1/customers/${w.c1}/invoices`, expect: readC1 },
    {
      endpoint: "getCustomerInvoice",
      method: "GET",
      prepare: invoiceOfC1,
      path: (w, id) => `/api/v1/customers/${w.c1}/invoices/${id}`,
      expect: readC1
    },
    {
      endpoint: "billingSummary",
      method: "GET",
      path: (w) => `/api/v1/billing/summary?period=2026-11&customer_id=${w.c1}`,
      expect: readC1
    },
    // Its documents: whoever may read the invoice.
    { endpoint: "getInvoicePdf", method: "GET", prepare: invoiceOfC1, path: (_, id) => `/api/v1/invoices/${id}/pdf`, expect: readC1 },
    { endpoint: "getInvoiceUbl", method: "GET", prepare: invoiceOfC1, path: (_, id) => `/api/v1/invoices/${id}/ubl`, expect: readC1 }
  ]
}

/**
 * Channel economics (docs/channel.md): P1's margins are its own, its distributor's and the
 * platform's to read; a sibling or a foreign partner gets 404, a customer 403. Upstream invoices
 * list the caller's (none here); one that does not exist is 404.
 */
function channelRows(): ReadonlyArray<Row> {
  return [
    {
      endpoint: "getMargins",
      method: "GET",
      path: (w) => `/api/v1/channel/margins?period=2026-11&partner_id=${w.p1}`,
      expect: { ...readC1, customerAdmin: 403 }
    },
    {
      endpoint: "listUpstreamInvoices",
      method: "GET",
      path: () => "/api/v1/channel/upstream-invoices",
      expect: { ...everyone(200), customerAdmin: 403 }
    },
    {
      endpoint: "getUpstreamInvoice",
      method: "GET",
      path: () => "/api/v1/channel/upstream-invoices/inv_01m6a6ft00334a9tkm1qqkpcc3",
      expect: { ...everyone(404), customerAdmin: 403 }
    }
  ]
}

/** P1's price lists (made by the platform admin for P1), a plan's price for C1, the exports and statements. */
function pricingRows(): ReadonlyArray<Row> {
  const listOfP1 = (w: World) =>
    Effect.map(
      call("POST", "/api/v1/price-lists", {
        body: {
          owner_account_id: w.p1, name: "P1 retail", currency: "EUR", valid_from: "2026-01-01", apply: "at_renewal",
          rules: [{ all: true, type: "markup_percent", value: "10", rounding: "cent" }]
        }
      }),
      (answer) => expectData(answer, 201).id as string
    )
  const list = (_: World, id: string) => `/api/v1/price-lists/${id}`
  /** A list of P1's: P1's channel reads it, its customers and partners beside it do not. */
  const readP1 = { ...readC1, customerAdmin: 404 }
  const writeP1 = (status: number): Expected => ({ ...readP1, platform: status, distributor: status, partner: status, viewer: 403, customerAdmin: 403 })
  return [
    { endpoint: "listPriceLists", method: "GET", path: () => "/api/v1/price-lists", expect: { ...everyone(200), customerAdmin: 403 } },
    {
      endpoint: "createPriceList",
      method: "POST",
      path: () => "/api/v1/price-lists",
      body: () => ({ name: "Own list", currency: "EUR", valid_from: "2026-01-01", apply: "at_renewal", rules: [{ all: true, type: "discount_percent", value: "5", rounding: "cent" }] }),
      expect: { ...everyone(201), viewer: 403, customerAdmin: 403 }
    },
    { endpoint: "getPriceList", method: "GET", prepare: listOfP1, path: list, expect: readP1 },
    {
      endpoint: "updatePriceList",
      method: "PUT",
      prepare: listOfP1,
      path: list,
      body: () => ({ name: "P1 retail, renamed" }),
      expect: writeP1(200)
    },
    { endpoint: "deletePriceList", method: "DELETE", prepare: listOfP1, path: list, expect: writeP1(204) },
    {
      endpoint: "assignPriceList",
      method: "PUT",
      prepare: listOfP1,
      path: (_, id) => `/api/v1/price-lists/${id}/assignments`,
      body: (w) => ({ customer_ids: [w.c1] }),
      expect: writeP1(200)
    },
    {
      endpoint: "getPlanPrice",
      method: "GET",
      prepare: (w) => Effect.map(catalogOf(w), (c) => c.plan),
      path: (w, plan) => `/api/v1/plans/${plan}/price?customer_id=${w.c1}`,
      expect: readC1
    },
    { endpoint: "getExport", method: "GET", path: () => "/api/v1/exports/invoices?period=2026-11&format=csv", expect: everyone(200) },
    {
      endpoint: "getCommissionStatements",
      method: "GET",
      path: () => "/api/v1/commissions/statements?period=2026-11",
      expect: { ...everyone(200), customerAdmin: 403 }
    },
    {
      endpoint: "settleCommissionStatement",
      method: "POST",
      // An id of no statement: whoever asks, it names nothing.
      path: () => "/api/v1/commissions/statements/cst_00000000000000000000000000/settle",
      expect: everyone(404)
    }
  ]
}
