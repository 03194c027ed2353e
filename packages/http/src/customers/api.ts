import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  Contact,
  ContactId,
  CreateContact,
  CreateCustomer,
  CreatePaymentMethod,
  CreateProductLocation,
  Customer,
  CustomerId,
  LocationId,
  PaymentMethod,
  PaymentMethodId,
  ProductLocation,
  UpdateContact,
  UpdateCustomer,
  UpdatePaymentMethod,
  UpdateProductLocation
} from "@provisio/core/customers/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { DuplicateCustomerError, InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery, SearchPageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"

const CustomerPath = Schema.Struct({ customerId: PathParam(CustomerId) })
const ContactPath = Schema.Struct({ customerId: PathParam(CustomerId), contactId: PathParam(ContactId) })
const PaymentMethodPath = Schema.Struct({ customerId: PathParam(CustomerId), paymentMethodId: PathParam(PaymentMethodId) })
const LocationPath = Schema.Struct({ customerId: PathParam(CustomerId), locationId: PathParam(LocationId) })

export class CustomersApi extends HttpApiGroup.make("customers")
  .add(HttpApiEndpoint.get("listCustomers", "/customers").setUrlParams(SearchPageQuery).addSuccess(PageEnvelope(Customer)))
  .add(
    HttpApiEndpoint.post("createCustomer", "/customers")
      .setPayload(CreateCustomer)
      .addSuccess(Envelope(Customer), { status: 201 })
      .addError(DuplicateCustomerError)
      .annotate(
        OpenApi.Description,
        "A partner creates its own customers; a distributor or platform admin names `partner_id`. " +
          "`external_id` is unique within a partner."
      )
  )
  .add(HttpApiEndpoint.get("getCustomer", "/customers/:customerId").setPath(CustomerPath).addSuccess(Envelope(Customer)))
  .add(
    HttpApiEndpoint.put("updateCustomer", "/customers/:customerId")
      .setPath(CustomerPath)
      .setPayload(UpdateCustomer)
      .addSuccess(Envelope(Customer))
      .addError(DuplicateCustomerError)
      .annotate(OpenApi.Description, "Only the fields sent change; `null` clears a field.")
  )
  .add(
    HttpApiEndpoint.del("deleteCustomer", "/customers/:customerId")
      .setPath(CustomerPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Deletes the customer with its contacts, payment methods, locations, orders, subscriptions and invoices; " +
          "answers 204 without a body. Outside the caller's scope it answers 404, as something that does not exist " +
          "would. A customer whose payments a bank statement line of its issuer paid is 409 invalid_state: the " +
          "statement stays, so close the customer (status closed) instead."
      )
  )
  // Contacts
  .add(
    HttpApiEndpoint.get("listContacts", "/customers/:customerId/contacts")
      .setPath(CustomerPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(Contact))
  )
  .add(
    HttpApiEndpoint.post("createContact", "/customers/:customerId/contacts")
      .setPath(CustomerPath)
      .setPayload(CreateContact)
      .addSuccess(Envelope(Contact), { status: 201 })
  )
  .add(
    HttpApiEndpoint.get("getContact", "/customers/:customerId/contacts/:contactId")
      .setPath(ContactPath)
      .addSuccess(Envelope(Contact))
  )
  .add(
    HttpApiEndpoint.put("updateContact", "/customers/:customerId/contacts/:contactId")
      .setPath(ContactPath)
      .setPayload(UpdateContact)
      .addSuccess(Envelope(Contact))
  )
  .add(
    HttpApiEndpoint.del("deleteContact", "/customers/:customerId/contacts/:contactId")
      .setPath(ContactPath)
      .addSuccess(HttpApiSchema.NoContent)
  )
  // Payment methods
  .add(
    HttpApiEndpoint.get("listPaymentMethods", "/customers/:customerId/paymentMethods")
      .setPath(CustomerPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(PaymentMethod))
  )
  .add(
    HttpApiEndpoint.post("createPaymentMethod", "/customers/:customerId/paymentMethods")
      .setPath(CustomerPath)
      .setPayload(CreatePaymentMethod)
      .addSuccess(Envelope(PaymentMethod), { status: 201 })
      .annotate(
        OpenApi.Description,
        "A tokenised reference from the payment gateway. A full card number in any field is refused with 422."
      )
  )
  .add(
    HttpApiEndpoint.get("getPaymentMethod", "/customers/:customerId/paymentMethods/:paymentMethodId")
      .setPath(PaymentMethodPath)
      .addSuccess(Envelope(PaymentMethod))
  )
  .add(
    HttpApiEndpoint.put("updatePaymentMethod", "/customers/:customerId/paymentMethods/:paymentMethodId")
      .setPath(PaymentMethodPath)
      .setPayload(UpdatePaymentMethod)
      .addSuccess(Envelope(PaymentMethod))
  )
  .add(
    HttpApiEndpoint.del("deletePaymentMethod", "/customers/:customerId/paymentMethods/:paymentMethodId")
      .setPath(PaymentMethodPath)
      .addSuccess(HttpApiSchema.NoContent)
  )
  // Product locations
  .add(
    HttpApiEndpoint.get("listProductLocations", "/customers/:customerId/productLocations")
      .setPath(CustomerPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(ProductLocation))
  )
  .add(
    HttpApiEndpoint.post("createProductLocation", "/customers/:customerId/productLocations")
      .setPath(CustomerPath)
      .setPayload(CreateProductLocation)
      .addSuccess(Envelope(ProductLocation), { status: 201 })
  )
  .add(
    HttpApiEndpoint.get("getProductLocation", "/customers/:customerId/productLocations/:locationId")
      .setPath(LocationPath)
      .addSuccess(Envelope(ProductLocation))
  )
  .add(
    HttpApiEndpoint.put("updateProductLocation", "/customers/:customerId/productLocations/:locationId")
      .setPath(LocationPath)
      .setPayload(UpdateProductLocation)
      .addSuccess(Envelope(ProductLocation))
  )
  .add(
    HttpApiEndpoint.del("deleteProductLocation", "/customers/:customerId/productLocations/:locationId")
      .setPath(LocationPath)
      .addSuccess(HttpApiSchema.NoContent)
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Customers")
  .annotate(OpenApi.Description, "Customers (tenants, subscribers) with their contacts, payment methods and locations.")
{}
