import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Account, Principal } from "../identity/model.js"
import { DEFAULT_PAYMENT_TERMS_DAYS } from "../collection/model.js"
import { checkTaxIdFormat } from "../tax/tax-ids.js"
import { formatOnlyTaxIdVerifier, TaxIdVerifier } from "../tax/ports.js"
import { canReach, reachableBy, requireKind, requireWrite } from "../identity/policy.js"
import { AccountRepo } from "../identity/ports.js"
import { EventLog } from "../events/ports.js"
import { subscriptionEvent } from "../subscriptions/events.js"
import { SubscriptionRepo } from "../subscriptions/ports.js"
import { Forbidden, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import type { PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import { given } from "../shared/partial-update.js"
import { makePaymentMethods } from "./payment-methods.js"
import { changedChildField, changedReadOnlyField, otherCustomer } from "./read-only.js"
import {
  Contact,
  type ContactId,
  type CreateContact,
  type CreateCustomer,
  type CreateProductLocation,
  Customer,
  type CustomerId,
  type LocationId,
  ProductLocation,
  type UpdateContact,
  type UpdateCustomer,
  type UpdateProductLocation
} from "./model.js"
import { type ChildRepo, ContactRepo, CustomerRepo, LocationRepo, PaymentMethodRepo } from "./ports.js"
import { now } from "../shared/time.js"


/** Accounts that own customers, or sit above those that do, may create and delete them. */
const CUSTOMER_OWNERS = ["platform", "distributor", "partner"] as const


/** What only the partner changes on a customer (a customer may send them only as they are). */
const PARTNER_ONLY = ["status", "external_id", "collection_method", "payment_terms_days", "dunning", "tax_exempt"] as const
export const make = Effect.gen(function* () {
  const accounts = yield* AccountRepo
  const customers = yield* CustomerRepo
  const contacts = yield* ContactRepo
  const paymentMethods = yield* PaymentMethodRepo
  const locations = yield* LocationRepo
  const transactor = yield* Transactor
  const subscriptionRepo = yield* SubscriptionRepo
  const log = yield* EventLog
  // A live registry when the host wires one; the format alone otherwise.
  const taxIds = Option.getOrElse(yield* Effect.serviceOption(TaxIdVerifier), () => formatOnlyTaxIdVerifier)

  /** A customer the caller may see; one out of scope is indistinguishable from a missing one. */
  const findStoredCustomer = (principal: Principal, id: string) =>
    customers.findById(id).pipe(reachableBy(principal, "customer", id))

  const findCustomer = (principal: Principal, id: string) =>
    Effect.map(findStoredCustomer(principal, id), (stored) => stored.customer)

  /**
   * A tax id as stored: its format checked for its country (tax/tax-ids.ts), then the verifier
   * asked (a live registry when one is wired; the format alone by default). 422 naming `tax_id`.
   */
  const checkedTaxId = (taxId: string | null | undefined, addressCountry: string | null) =>
    Effect.gen(function* () {
      if (taxId === undefined || taxId === null) return taxId
      const format = checkTaxIdFormat(taxId, addressCountry)
      if (!format.valid) return yield* ValidationError.of("tax_id", format.reason)
      const verdict = yield* taxIds.verify(format.normalized, format.country)
      if (!verdict.valid) {
        return yield* ValidationError.of("tax_id", verdict.reason ?? `is not a registered tax id in ${format.country}`)
      }
      return format.normalized
    })

  /** A record below a customer the caller may see. */
  const findChild = <A extends { readonly id: string; readonly customer_id: string }>(
    repo: ChildRepo<A>,
    resource: string,
    principal: Principal,
    customerId: string,
    id: string
  ) =>
    findCustomer(principal, customerId).pipe(
      Effect.flatMap((customer) => repo.findById(customer.id, id)),
      orNotFound(resource, id)
    )

  // Customers ---------------------------------------------------------------------------------

  /**
   * A partner creates under itself; platforms and distributors name a partner in their scope.
   * Customers cannot create customers.
   */
  // Untraced: the hottest write (POST /customers); `Effect.fn` captures a stack trace on every call.
  const createCustomer = Effect.fnUntraced(function* (principal: Principal, input: CreateCustomer) {
    yield* requireKind(principal, CUSTOMER_OWNERS, "create customers")
    yield* requireWrite(principal)
    let partnerId: string
    if (principal.account_kind === "partner") {
      if (input.partner_id !== undefined && input.partner_id !== principal.account_id) {
        return yield* ValidationError.of("partner_id", "a partner creates customers under itself; leave partner_id out")
      }
      partnerId = principal.account_id
    } else {
      if (input.partner_id === undefined) {
        return yield* ValidationError.of("partner_id", "is required when a platform or distributor creates a customer")
      }
      partnerId = input.partner_id
    }
    // A partner creating under itself is described by its principal: no need to read it again.
    const partner: Option.Option<Pick<Account, "id" | "kind" | "lineage">> = principal.account_kind === "partner"
      ? Option.some({ id: principal.account_id as Account["id"], kind: "partner", lineage: principal.lineage })
      : yield* accounts.findById(partnerId)
    if (Option.isNone(partner) || partner.value.kind !== "partner" || !canReach(principal, partner.value.lineage)) {
      return yield* ValidationError.of("partner_id", `partner ${partnerId} does not exist`)
    }
    const taxId = yield* checkedTaxId(input.tax_id, input.address?.country ?? null)
    const id = (yield* makeId("cus")) as CustomerId
    const at = yield* now
    const customer = new Customer({
      id,
      partner_id: partner.value.id,
      external_id: input.external_id ?? null,
      name: input.name,
      email: input.email ?? null,
      phone: input.phone ?? null,
      status: input.status ?? "active",
      timezone: input.timezone ?? "UTC",
      currency: input.currency ?? null,
      address: input.address ?? null,
      metadata: input.metadata ?? {},
      // Resolved by the repository from what is set (`collection`) as it stores the customer.
      collection_method: input.collection_method ?? "send_invoice",
      payment_terms_days: input.payment_terms_days ?? DEFAULT_PAYMENT_TERMS_DAYS,
      dunning: input.dunning ?? "active",
      dunning_stage: null,
      language: input.language ?? "en",
      tax_id: taxId ?? null,
      tax_exempt: input.tax_exempt ?? "none",
      e_invoicing: input.e_invoicing ?? false,
      created_at: at,
      updated_at: at
      // Not validated here: the repository's encoding of it for the insert validates every field
      // (a class's constructor validating costs ~160 us a customer, the POST's largest item).
    }, true)
    const collection = {
      collection_method: input.collection_method ?? null,
      payment_terms_days: input.payment_terms_days ?? null
    }
    return yield* customers.insert({ customer, lineage: [...partner.value.lineage, id], collection })
  })

  const listCustomers = (principal: Principal, page: PageRequest, search?: string) =>
    customers.list(principal.account_id, page, search)

  const getCustomer = Effect.fn("Customers.getCustomer")(function* (principal: Principal, id: string) {
    return yield* findCustomer(principal, id)
  })

  /**
   * A customer may edit its own profile, but its status, the partner's reference to it
   * (`external_id`), how it is collected and its tax exemption are decided by the partner above it.
   */
  const updateCustomer = Effect.fn("Customers.updateCustomer")(function* (
    principal: Principal,
    id: string,
    input: UpdateCustomer
  ) {
    const stored = yield* findStoredCustomer(principal, id)
    const customer = stored.customer
    yield* requireWrite(principal)
    const readOnly = changedReadOnlyField(input, customer)
    if (readOnly !== undefined) return yield* readOnly
    // The seller answers for the tax it charges: a customer marking itself exempt would zero it.
    // Sent as the customer shows them (itself read and sent back whole), they change nothing: taken, and left as they are.
    if (principal.account_kind === "customer") {
      const shown = Schema.encodeSync(Customer)(customer) as unknown as Record<string, unknown>
      if (PARTNER_ONLY.some((name) => input[name] !== undefined && JSON.stringify(input[name]) !== JSON.stringify(shown[name]))) {
        return yield* new Forbidden({
          message: "a customer's status, external_id, collection_method, payment_terms_days, dunning and tax_exempt are changed by its partner"
        })
      }
      input = { ...input, ...Object.fromEntries(PARTNER_ONLY.map((name) => [name, undefined])) } as UpdateCustomer
    }
    return yield* customers.update(new Customer({
      ...customer,
      external_id: given(input.external_id, customer.external_id),
      name: given(input.name, customer.name),
      email: given(input.email, customer.email),
      phone: given(input.phone, customer.phone),
      status: given(input.status, customer.status),
      timezone: given(input.timezone, customer.timezone),
      currency: given(input.currency, customer.currency),
      address: given(input.address, customer.address),
      metadata: given(input.metadata, customer.metadata),
      dunning: given(input.dunning, customer.dunning),
      language: given(input.language, customer.language),
      tax_id: given(
        yield* checkedTaxId(input.tax_id, given(input.address, customer.address)?.country ?? null),
        customer.tax_id
      ),
      tax_exempt: given(input.tax_exempt, customer.tax_exempt),
      e_invoicing: given(input.e_invoicing, customer.e_invoicing),
      updated_at: yield* now
    }), {
      collection_method: given(input.collection_method, stored.collection.collection_method),
      payment_terms_days: given(input.payment_terms_days, stored.collection.payment_terms_days)
    })
  })

  /**
   * Its contacts, payment methods, orders, subscriptions, invoices go with it (the storage cascades),
   * its live subscriptions first cancelled at once in the same transaction (`subscription.cancelled`:
   * the provider gets its DELETE; events and deliveries keep no key to the customer, so they stay).
   */
  const deleteCustomer = Effect.fn("Customers.deleteCustomer")(function* (principal: Principal, id: string) {
    yield* requireKind(principal, CUSTOMER_OWNERS, "delete customers")
    const customer = yield* findCustomer(principal, id)
    yield* requireWrite(principal)
    yield* transactor.withTransaction(Effect.gen(function* () {
      const at = yield* now
      const ended = yield* subscriptionRepo.setStatusOfCustomers([customer.id], ["pending", "active", "suspended"], "cancelled", at)
      const extra = { when: "immediately", reason: "customer deleted" }
      yield* log.append(yield* Effect.forEach(ended, (s) => subscriptionEvent("subscription.cancelled", s, extra)))
      yield* customers.delete(customer.id)
    }))
  })

  // Contacts ----------------------------------------------------------------------------------

  const createContact = Effect.fn("Customers.createContact")(function* (
    principal: Principal,
    customerId: string,
    input: CreateContact
  ) {
    const customer = yield* findCustomer(principal, customerId)
    yield* requireWrite(principal)
    const other = otherCustomer(input, customer.id)
    if (other !== undefined) return yield* other
    const at = yield* now
    return yield* contacts.insert(new Contact({
      id: (yield* makeId("con")) as ContactId,
      customer_id: customer.id,
      name: input.name,
      email: input.email ?? null,
      phone: input.phone ?? null,
      role: input.role ?? null,
      created_at: at,
      updated_at: at
    }))
  })

  const listContacts = Effect.fn("Customers.listContacts")(function* (
    principal: Principal,
    customerId: string,
    page: PageRequest
  ) {
    const customer = yield* findCustomer(principal, customerId)
    return yield* contacts.list(customer.id, page)
  })

  const getContact = Effect.fn("Customers.getContact")(function* (principal: Principal, customerId: string, id: string) {
    return yield* findChild(contacts, "contact", principal, customerId, id)
  })

  const updateContact = Effect.fn("Customers.updateContact")(function* (
    principal: Principal,
    customerId: string,
    id: string,
    input: UpdateContact
  ) {
    const contact = yield* findChild(contacts, "contact", principal, customerId, id)
    yield* requireWrite(principal)
    const readOnly = changedChildField(Contact, input, contact)
    if (readOnly !== undefined) return yield* readOnly
    return yield* contacts.update(new Contact({
      ...contact,
      name: given(input.name, contact.name),
      email: given(input.email, contact.email),
      phone: given(input.phone, contact.phone),
      role: given(input.role, contact.role),
      updated_at: yield* now
    }))
  })

  const deleteContact = Effect.fn("Customers.deleteContact")(function* (principal: Principal, customerId: string, id: string) {
    const contact = yield* findChild(contacts, "contact", principal, customerId, id)
    yield* requireWrite(principal)
    yield* contacts.delete(contact.customer_id, contact.id)
  })

  // Payment methods: their own file (payment-methods.ts).
  const {
    createPaymentMethod,
    deletePaymentMethod,
    getPaymentMethod,
    listPaymentMethods,
    updatePaymentMethod
  } = makePaymentMethods({ paymentMethods, transactor, findCustomer, findChild })

  // Product locations -------------------------------------------------------------------------

  const createProductLocation = Effect.fn("Customers.createProductLocation")(function* (
    principal: Principal,
    customerId: string,
    input: CreateProductLocation
  ) {
    const customer = yield* findCustomer(principal, customerId)
    yield* requireWrite(principal)
    const other = otherCustomer(input, customer.id)
    if (other !== undefined) return yield* other
    const at = yield* now
    return yield* locations.insert(new ProductLocation({
      id: (yield* makeId("loc")) as LocationId,
      customer_id: customer.id,
      name: input.name,
      address: input.address ?? null,
      created_at: at,
      updated_at: at
    }))
  })

  const listProductLocations = Effect.fn("Customers.listProductLocations")(function* (
    principal: Principal,
    customerId: string,
    page: PageRequest
  ) {
    const customer = yield* findCustomer(principal, customerId)
    return yield* locations.list(customer.id, page)
  })

  const getProductLocation = Effect.fn("Customers.getProductLocation")(function* (
    principal: Principal,
    customerId: string,
    id: string
  ) {
    return yield* findChild(locations, "product location", principal, customerId, id)
  })

  const updateProductLocation = Effect.fn("Customers.updateProductLocation")(function* (
    principal: Principal,
    customerId: string,
    id: string,
    input: UpdateProductLocation
  ) {
    const location = yield* findChild(locations, "product location", principal, customerId, id)
    yield* requireWrite(principal)
    const readOnly = changedChildField(ProductLocation, input, location)
    if (readOnly !== undefined) return yield* readOnly
    return yield* locations.update(new ProductLocation({
      ...location,
      name: given(input.name, location.name),
      address: given(input.address, location.address),
      updated_at: yield* now
    }))
  })

  const deleteProductLocation = Effect.fn("Customers.deleteProductLocation")(function* (
    principal: Principal,
    customerId: string,
    id: string
  ) {
    const location = yield* findChild(locations, "product location", principal, customerId, id)
    yield* requireWrite(principal)
    yield* locations.delete(location.customer_id, location.id)
  })

  return {
    createCustomer,
    listCustomers,
    getCustomer,
    updateCustomer,
    deleteCustomer,
    createContact,
    listContacts,
    getContact,
    updateContact,
    deleteContact,
    createPaymentMethod,
    listPaymentMethods,
    getPaymentMethod,
    updatePaymentMethod,
    deletePaymentMethod,
    createProductLocation,
    listProductLocations,
    getProductLocation,
    updateProductLocation,
    deleteProductLocation
  } as const
})

export class Customers extends Context.Tag("@provisio/core/Customers")<Customers, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Customers, make)
}
