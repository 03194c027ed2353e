import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { CARD_NUMBER_MESSAGE, findCardNumberPath } from "@provisio/core/customers/card-numbers"
import { Customers } from "@provisio/core/customers/service"
import { ValidationError } from "@provisio/core/shared/errors"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { fieldPath } from "../field-path.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller, searchOf } from "../pagination.js"

/**
 * PCI: a card number anywhere in a payment method's body is 422 naming where, the fields the
 * schema does not know included (`card_number`), which decoding drops before the use case, whose
 * own check sees only the fields it keeps.
 */
const refuseCardNumbersInBody = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
  Effect.flatMap(Effect.orElseSucceed(request.json, () => null), (body) => {
    const path = findCardNumberPath(body)
    return path === undefined || path.length === 0 ? Effect.void : Effect.fail(ValidationError.of(fieldPath(path), CARD_NUMBER_MESSAGE))
  }))

export const CustomersHandlers = HttpApiBuilder.group(ProvisioApi, "customers", (handlers) =>
  Effect.map(Customers, (customers) =>
    handlers
      .handle("listCustomers", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) => customers.listCustomers(p, page, searchOf(urlParams))))
      .handle("createCustomer", ({ payload }) => asCaller((p) => customers.createCustomer(p, payload)))
      .handle("getCustomer", ({ path }) => asCaller((p) => customers.getCustomer(p, path.customerId)))
      .handle("updateCustomer", ({ path, payload }) =>
        asCaller((p) => customers.updateCustomer(p, path.customerId, payload)))
      .handle("deleteCustomer", ({ path }) => asCaller((p) => customers.deleteCustomer(p, path.customerId)))
      .handle("listContacts", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => customers.listContacts(p, path.customerId, page)))
      .handle("createContact", ({ path, payload }) =>
        asCaller((p) => customers.createContact(p, path.customerId, payload)))
      .handle("getContact", ({ path }) => asCaller((p) => customers.getContact(p, path.customerId, path.contactId)))
      .handle("updateContact", ({ path, payload }) =>
        asCaller((p) => customers.updateContact(p, path.customerId, path.contactId, payload)))
      .handle("deleteContact", ({ path }) =>
        asCaller((p) => customers.deleteContact(p, path.customerId, path.contactId)))
      .handle("listPaymentMethods", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => customers.listPaymentMethods(p, path.customerId, page)))
      .handle("createPaymentMethod", ({ path, payload }) =>
        Effect.zipRight(refuseCardNumbersInBody, asCaller((p) => customers.createPaymentMethod(p, path.customerId, payload))))
      .handle("getPaymentMethod", ({ path }) =>
        asCaller((p) => customers.getPaymentMethod(p, path.customerId, path.paymentMethodId)))
      .handle("updatePaymentMethod", ({ path, payload }) =>
        Effect.zipRight(
          refuseCardNumbersInBody,
          asCaller((p) => customers.updatePaymentMethod(p, path.customerId, path.paymentMethodId, payload))
        ))
      .handle("deletePaymentMethod", ({ path }) =>
        asCaller((p) => customers.deletePaymentMethod(p, path.customerId, path.paymentMethodId)))
      .handle("listProductLocations", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => customers.listProductLocations(p, path.customerId, page)))
      .handle("createProductLocation", ({ path, payload }) =>
        asCaller((p) => customers.createProductLocation(p, path.customerId, payload)))
      .handle("getProductLocation", ({ path }) =>
        asCaller((p) => customers.getProductLocation(p, path.customerId, path.locationId)))
      .handle("updateProductLocation", ({ path, payload }) =>
        asCaller((p) => customers.updateProductLocation(p, path.customerId, path.locationId, payload)))
      .handle("deleteProductLocation", ({ path }) =>
        asCaller((p) => customers.deleteProductLocation(p, path.customerId, path.locationId)))
  ))
