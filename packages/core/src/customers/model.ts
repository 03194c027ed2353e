import * as Schema from "effect/Schema"
import { CollectionMethod, DunningStage, DunningState, PaymentTermsDays } from "../collection/model.js"
import { FreeForm } from "../shared/free-form.js"
import { AccountId } from "../identity/model.js"
import { prefixedId } from "../shared/ids.js"
import { isValidTimeZone, Timestamp } from "../shared/time.js"
import { Email, Name, Text } from "../shared/text.js"

export const CustomerId = prefixedId("cus", "CustomerId")
export type CustomerId = typeof CustomerId.Type

export const ContactId = prefixedId("con", "ContactId")
export type ContactId = typeof ContactId.Type

export const PaymentMethodId = prefixedId("pm", "PaymentMethodId")
export type PaymentMethodId = typeof PaymentMethodId.Type

export const LocationId = prefixedId("loc", "LocationId")
export type LocationId = typeof LocationId.Type

export const CustomerStatus = Schema.Literal("prospect", "active", "suspended", "closed")
export type CustomerStatus = typeof CustomerStatus.Type

export const PaymentMethodType = Schema.Literal("card", "bank_account", "sepa_debit", "invoice")
export type PaymentMethodType = typeof PaymentMethodType.Type

// Field formats. Inputs are decoded through these; the stored models reuse the ones that cannot
// reject legacy rows (plain strings), so a tightened rule never makes old data unreadable.



export const Phone = Text(50)

export const CountryCode = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{2}$/, {
    message: () => "must be an ISO 3166-1 alpha-2 country code in upper case, e.g. \"DE\""
  })
)

export const LanguageTag = Schema.String.pipe(
  Schema.pattern(/^[a-z]{2,3}(-[A-Z]{2})?$/, { message: () => "must be a language tag such as \"de\" or \"fr-CA\"" })
)

export const TaxExempt = Schema.Literal("none", "exempt", "reverse_charge")
export type TaxExempt = typeof TaxExempt.Type

const TaxIdInput = Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(40))

export const CurrencyCode = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{3}$/, { message: () => "must be an ISO 4217 currency code in upper case, e.g. \"EUR\"" })
)

/** A valid zone in the case the time zone database spells it ("utc" is UTC, "europe/berlin" Europe/Berlin); a link keeps its name. */
const zoneSpelling = (zone: string): string => {
  const canonical = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone
  return canonical.toLowerCase() === zone.toLowerCase() ? canonical : zone
}

export const TimeZoneName = Schema.transform(
  Schema.String.pipe(
    Schema.filter(isValidTimeZone, { message: () => "must be an IANA time zone name, e.g. \"Europe/Berlin\"" })
  ),
  Schema.String,
  { strict: true, decode: zoneSpelling, encode: (zone) => zone }
)

/** Free-form and replaced as a whole on update. */
export const Metadata = FreeForm(Schema.Unknown)
export type Metadata = typeof Metadata.Type

const AddressLine = Schema.Trim.pipe(Schema.maxLength(200))

// Every line may be left out on input and always comes back, as null when unknown.
const addressField = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

/** A postal address; the same shape on input, in storage (jsonb) and in answers. */
export class Address extends Schema.Class<Address>("Address")({
  line1: addressField(AddressLine),
  line2: addressField(AddressLine),
  city: addressField(AddressLine),
  state: addressField(AddressLine),
  postal_code: addressField(AddressLine),
  country: addressField(CountryCode)
}) {}

// Customers -----------------------------------------------------------------------------------

/**
 * A customer as clients see it. Its place in the hierarchy (`lineage`: the partner's lineage
 * plus the customer's id) is internal, so it is not a field here: the repository stores it and
 * hands it back beside the customer (`StoredCustomer` in ports.ts) for scope checks.
 */
export class Customer extends Schema.Class<Customer>("Customer")({
  id: CustomerId,
  partner_id: AccountId,
  external_id: Schema.NullOr(Schema.String),
  name: Schema.String,
  email: Schema.NullOr(Schema.String),
  phone: Schema.NullOr(Schema.String),
  status: CustomerStatus,
  timezone: Schema.String,
  currency: Schema.NullOr(Schema.String),
  address: Schema.NullOr(Address),
  metadata: Metadata,
  /**
   * How its invoices are collected: as set, else `charge_automatically` while its default
   * payment method is chargeable (a card, bank account or SEPA mandate at a gateway), else
   * `send_invoice`.
   */
  collection_method: CollectionMethod,
  /** Days from finalization to due: as set, else the issuer's `settings.billing.payment_terms_days`, else 14. */
  payment_terms_days: Schema.Int,
  /** `paused`: dunning skips the customer. */
  dunning: DunningState,
  /** The language of its emails and documents where a template exists (`de`, `fr-CA`); `en` unless set. */
  language: Schema.String,
  /** Its VAT number or other tax id, normalized (`DE123456789`); null when it has none (a consumer). */
  tax_id: Schema.NullOr(Schema.String),
  /** `none` (taxed as the rules say), `exempt` (no tax, the reason printed), `reverse_charge` (the buyer accounts for it). */
  tax_exempt: TaxExempt,
  /** It asks for e-invoices: its invoice emails carry the UBL 2.1 e-invoice beside the PDF (docs/documents.md). */
  e_invoicing: Schema.Boolean,
  /** The dunning stage the customer's overdue invoices reached; null while nothing is overdue. */
  dunning_stage: Schema.NullOr(DunningStage),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/** What a customer's collection fields are set to; null = the default (see `Customer`). */
export interface CollectionChoice {
  readonly collection_method: CollectionMethod | null
  readonly payment_terms_days: number | null
}

const ExternalId = Text(200)

export class CreateCustomer extends Schema.Class<CreateCustomer>("CreateCustomer")({
  /** Required when a platform or distributor creates the customer; a partner creates under itself. */
  partner_id: Schema.optional(AccountId),
  external_id: Schema.optional(Schema.NullOr(ExternalId)),
  name: Name,
  email: Schema.optional(Schema.NullOr(Email)),
  phone: Schema.optional(Schema.NullOr(Phone)),
  /** `active` when absent. */
  status: Schema.optional(CustomerStatus),
  /** `UTC` when absent. */
  timezone: Schema.optional(TimeZoneName),
  currency: Schema.optional(Schema.NullOr(CurrencyCode)),
  address: Schema.optional(Schema.NullOr(Address)),
  metadata: Schema.optional(Metadata),
  /** Null or absent: follow the default payment method. */
  collection_method: Schema.optional(Schema.NullOr(CollectionMethod)),
  /** Null or absent: the issuer's payment terms. */
  payment_terms_days: Schema.optional(Schema.NullOr(PaymentTermsDays)),
  dunning: Schema.optional(DunningState),
  language: Schema.optional(LanguageTag),
  /** Checked against its country's format (tax/tax-ids.ts); null clears it. */
  tax_id: Schema.optional(Schema.NullOr(TaxIdInput)),
  tax_exempt: Schema.optional(TaxExempt),
  /** True: the invoice emails attach the UBL e-invoice too; false when absent. */
  e_invoicing: Schema.optional(Schema.Boolean)
}) {}

/** A field a PUT does not change: taken only with the value the resource has (read-only.ts). */
const readOnlyField = Schema.optional(Schema.Unknown.annotations({ description: "Read-only: may be sent only as it is" }))

/** Read-only (read-only.ts) on a contact, payment method or location: a record read and sent back whole is taken. */
const childReadOnly = { customer_id: readOnlyField, id: readOnlyField, created_at: readOnlyField, updated_at: readOnlyField }

/**
 * A partial update: absent fields keep their value, `null` clears a nullable one. `address` and
 * `metadata` are replaced whole. The partner cannot change (it would move the customer's scope):
 * it, the id, the timestamps and the dunning stage are taken only as they are.
 */
export class UpdateCustomer extends Schema.Class<UpdateCustomer>("UpdateCustomer")({
  external_id: Schema.optional(Schema.NullOr(ExternalId)),
  name: Schema.optional(Name),
  email: Schema.optional(Schema.NullOr(Email)),
  phone: Schema.optional(Schema.NullOr(Phone)),
  status: Schema.optional(CustomerStatus),
  timezone: Schema.optional(TimeZoneName),
  currency: Schema.optional(Schema.NullOr(CurrencyCode)),
  address: Schema.optional(Schema.NullOr(Address)),
  metadata: Schema.optional(Metadata),
  /** Null: back to the default (the default payment method decides). */
  collection_method: Schema.optional(Schema.NullOr(CollectionMethod)),
  /** Null: back to the issuer's payment terms. */
  payment_terms_days: Schema.optional(Schema.NullOr(PaymentTermsDays)),
  dunning: Schema.optional(DunningState),
  language: Schema.optional(LanguageTag),
  /** Checked against its country's format (tax/tax-ids.ts); null clears it. */
  tax_id: Schema.optional(Schema.NullOr(TaxIdInput)),
  tax_exempt: Schema.optional(TaxExempt),
  /** True: the invoice emails attach the UBL e-invoice too; false when absent. */
  e_invoicing: Schema.optional(Schema.Boolean),
  /** Read-only (read-only.ts): accepted only as they are, so a customer read and sent back whole is taken. */
  dunning_stage: readOnlyField,
  partner_id: readOnlyField,
  id: readOnlyField,
  created_at: readOnlyField,
  updated_at: readOnlyField
}) {}

// Contacts ------------------------------------------------------------------------------------

export class Contact extends Schema.Class<Contact>("Contact")({
  id: ContactId,
  customer_id: CustomerId,
  name: Schema.String,
  email: Schema.NullOr(Schema.String),
  phone: Schema.NullOr(Schema.String),
  /** What the person is for the customer, e.g. "billing" or "technical". */
  role: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

const ContactRole = Text(100)

export class CreateContact extends Schema.Class<CreateContact>("CreateContact")({
  name: Name,
  email: Schema.optional(Schema.NullOr(Email)),
  phone: Schema.optional(Schema.NullOr(Phone)),
  role: Schema.optional(Schema.NullOr(ContactRole)),
  customer_id: readOnlyField
}) {}

/** A partial update: absent fields keep their value, `null` clears a nullable one. */
export class UpdateContact extends Schema.Class<UpdateContact>("UpdateContact")({
  name: Schema.optional(Name),
  email: Schema.optional(Schema.NullOr(Email)),
  phone: Schema.optional(Schema.NullOr(Phone)),
  role: Schema.optional(Schema.NullOr(ContactRole)),
  ...childReadOnly
}) {}

// Payment methods -----------------------------------------------------------------------------

/**
 * A tokenised reference to a means of payment held by a gateway. Never a card number: inputs
 * are screened by `findCardNumberField` (card-numbers.ts) before anything is stored.
 */
export class PaymentMethod extends Schema.Class<PaymentMethod>("PaymentMethod")({
  id: PaymentMethodId,
  customer_id: CustomerId,
  type: PaymentMethodType,
  gateway: Schema.NullOr(Schema.String),
  /** The gateway's reference for the stored card or mandate. */
  token: Schema.NullOr(Schema.String),
  brand: Schema.NullOr(Schema.String),
  last4: Schema.NullOr(Schema.String),
  exp_month: Schema.NullOr(Schema.Int),
  exp_year: Schema.NullOr(Schema.Int),
  /** At most one per customer: setting it clears it on the others. */
  is_default: Schema.Boolean,
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

const Last4 = Schema.String.pipe(Schema.pattern(/^\d{4}$/))
const ExpMonth = Schema.Int.pipe(Schema.between(1, 12))
const ExpYear = Schema.Int.pipe(Schema.between(2000, 2999))

/**
 * Payment-method inputs state their own message for every field: the default messages quote
 * the rejected value, and a card number sent by mistake must not come back in an answer or land
 * in a log.
 */
const quiet = <A, I>(schema: Schema.Schema<A, I>, message: string): Schema.Schema<A, I> =>
  schema.annotations({ message: () => ({ message, override: true }) })

// `exact`: JSON has no `undefined`, and without it the union's extra member would quote the value.
const quietOptional = <A, I>(schema: Schema.Schema<A, I>, message: string) =>
  Schema.optionalWith(quiet(schema, message), { exact: true })

const quietNullable = <A, I>(schema: Schema.Schema<A, I>, message: string) =>
  quietOptional(Schema.NullOr(schema), `${message}, or null`)

const paymentMethodInput = {
  gateway: quietNullable(Text(100), "must be a non-empty string of at most 100 characters"),
  token: quietNullable(Text(500), "must be a non-empty string of at most 500 characters"),
  brand: quietNullable(Text(50), "must be a non-empty string of at most 50 characters"),
  last4: quietNullable(Last4, "must be the last 4 digits of the card number"),
  exp_month: quietNullable(ExpMonth, "must be a month from 1 to 12"),
  exp_year: quietNullable(ExpYear, "must be a four-digit year")
}

const TYPE_MESSAGE = "must be one of card, bank_account, sepa_debit, invoice"
const IS_DEFAULT_MESSAGE = "must be true or false"

export class CreatePaymentMethod extends Schema.Class<CreatePaymentMethod>("CreatePaymentMethod")({
  type: quiet(PaymentMethodType, TYPE_MESSAGE),
  ...paymentMethodInput,
  /** `false` when absent. */
  is_default: quietOptional(Schema.Boolean, IS_DEFAULT_MESSAGE),
  customer_id: readOnlyField
}) {}

/** A partial update: absent fields keep their value, `null` clears a nullable one. */
export class UpdatePaymentMethod extends Schema.Class<UpdatePaymentMethod>("UpdatePaymentMethod")({
  type: quietOptional(PaymentMethodType, TYPE_MESSAGE),
  ...paymentMethodInput,
  is_default: quietOptional(Schema.Boolean, IS_DEFAULT_MESSAGE),
  ...childReadOnly
}) {}

// Product locations ---------------------------------------------------------------------------

/** A site where the customer's products are in service (an office, a branch, a data centre). */
export class ProductLocation extends Schema.Class<ProductLocation>("ProductLocation")({
  id: LocationId,
  customer_id: CustomerId,
  name: Schema.String,
  address: Schema.NullOr(Address),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class CreateProductLocation extends Schema.Class<CreateProductLocation>("CreateProductLocation")({
  name: Name,
  address: Schema.optional(Schema.NullOr(Address)),
  customer_id: readOnlyField
}) {}

/** A partial update: absent fields keep their value; `address` is replaced whole or cleared by `null`. */
export class UpdateProductLocation extends Schema.Class<UpdateProductLocation>("UpdateProductLocation")({
  name: Schema.optional(Name),
  address: Schema.optional(Schema.NullOr(Address)),
  ...childReadOnly
}) {}
