import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { Principal } from "../identity/model.js"
import { requireWrite } from "../identity/policy.js"
import { type NotFound, type PersistenceError, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { given } from "../shared/partial-update.js"
import type { PageRequest } from "../shared/pagination.js"
import { now } from "../shared/time.js"
import type { Transactor } from "../shared/transactor.js"
import { CARD_NUMBER_MESSAGE, findCardNumberField } from "./card-numbers.js"
import { type CreatePaymentMethod, type Customer, PaymentMethod, type PaymentMethodId, type UpdatePaymentMethod } from "./model.js"
import type { ChildRepo, PaymentMethodRepo } from "./ports.js"
import { changedChildField, otherCustomer } from "./read-only.js"

/**
 * A customer's payment methods (a job of Customers, service.ts): gateway references only, never a
 * card number; at most one default, switched in one transaction.
 */
export interface PaymentMethodsDeps {
  readonly paymentMethods: Context.Tag.Service<typeof PaymentMethodRepo>
  readonly transactor: Context.Tag.Service<typeof Transactor>
  readonly findCustomer: (principal: Principal, id: string) => Effect.Effect<Customer, NotFound | PersistenceError>
  readonly findChild: <A extends { readonly id: string; readonly customer_id: string }>(
    repo: ChildRepo<A>,
    resource: string,
    principal: Principal,
    customerId: string,
    id: string
  ) => Effect.Effect<A, NotFound | PersistenceError>
}

export const makePaymentMethods = ({ findChild, findCustomer, paymentMethods, transactor }: PaymentMethodsDeps) => {
  /** PCI: a full card number in any field is refused before anything else happens. */
  const refuseCardNumbers = (input: CreatePaymentMethod | UpdatePaymentMethod) => {
    const field = findCardNumberField(input)
    return field === undefined ? Effect.void : Effect.fail(ValidationError.of(field, CARD_NUMBER_MESSAGE))
  }

  /** Writes a payment method that is to be the default together with unmarking the previous one. */
  const writeDefault = (method: PaymentMethod, write: Effect.Effect<PaymentMethod, PersistenceError>) =>
    transactor.withTransaction(Effect.zipRight(paymentMethods.clearDefault(method.customer_id, method.updated_at), write))

  const createPaymentMethod = Effect.fn("Customers.createPaymentMethod")(function* (
    principal: Principal,
    customerId: string,
    input: CreatePaymentMethod
  ) {
    yield* refuseCardNumbers(input)
    const customer = yield* findCustomer(principal, customerId)
    yield* requireWrite(principal)
    const other = otherCustomer(input, customer.id)
    if (other !== undefined) return yield* other
    const at = yield* now
    const method = new PaymentMethod({
      id: (yield* makeId("pm")) as PaymentMethodId,
      customer_id: customer.id,
      type: input.type,
      gateway: input.gateway ?? null,
      token: input.token ?? null,
      brand: input.brand ?? null,
      last4: input.last4 ?? null,
      exp_month: input.exp_month ?? null,
      exp_year: input.exp_year ?? null,
      is_default: input.is_default ?? false,
      created_at: at,
      updated_at: at
    })
    return yield* method.is_default ? writeDefault(method, paymentMethods.insert(method)) : paymentMethods.insert(method)
  })

  const listPaymentMethods = Effect.fn("Customers.listPaymentMethods")(function* (
    principal: Principal,
    customerId: string,
    page: PageRequest
  ) {
    const customer = yield* findCustomer(principal, customerId)
    return yield* paymentMethods.list(customer.id, page)
  })

  const getPaymentMethod = Effect.fn("Customers.getPaymentMethod")(function* (
    principal: Principal,
    customerId: string,
    id: string
  ) {
    return yield* findChild(paymentMethods, "payment method", principal, customerId, id)
  })

  const updatePaymentMethod = Effect.fn("Customers.updatePaymentMethod")(function* (
    principal: Principal,
    customerId: string,
    id: string,
    input: UpdatePaymentMethod
  ) {
    yield* refuseCardNumbers(input)
    const current = yield* findChild(paymentMethods, "payment method", principal, customerId, id)
    yield* requireWrite(principal)
    const readOnly = changedChildField(PaymentMethod, input, current)
    if (readOnly !== undefined) return yield* readOnly
    const method = new PaymentMethod({
      ...current,
      type: given(input.type, current.type),
      gateway: given(input.gateway, current.gateway),
      token: given(input.token, current.token),
      brand: given(input.brand, current.brand),
      last4: given(input.last4, current.last4),
      exp_month: given(input.exp_month, current.exp_month),
      exp_year: given(input.exp_year, current.exp_year),
      is_default: given(input.is_default, current.is_default),
      updated_at: yield* now
    })
    return yield* method.is_default && !current.is_default
      ? writeDefault(method, paymentMethods.update(method))
      : paymentMethods.update(method)
  })

  const deletePaymentMethod = Effect.fn("Customers.deletePaymentMethod")(function* (
    principal: Principal,
    customerId: string,
    id: string
  ) {
    const method = yield* findChild(paymentMethods, "payment method", principal, customerId, id)
    yield* requireWrite(principal)
    yield* paymentMethods.delete(method.customer_id, method.id)
  })

  return { createPaymentMethod, listPaymentMethods, getPaymentMethod, updatePaymentMethod, deletePaymentMethod } as const
}
