import * as Schema from "effect/Schema"
import { prefixedId } from "../shared/ids.js"
import { Timestamp } from "../shared/time.js"
import { Name } from "../shared/text.js"
import { readOnlyField } from "../shared/read-only.js"

export const AccountId = prefixedId("acc", "AccountId")
export type AccountId = typeof AccountId.Type

export const ApiKeyId = prefixedId("key", "ApiKeyId")
export type ApiKeyId = typeof ApiKeyId.Type

export const AccountKind = Schema.Literal("platform", "distributor", "partner", "customer")
export type AccountKind = typeof AccountKind.Type

export const Role = Schema.Literal("admin", "manager", "viewer")
export type Role = typeof Role.Type

export const Edition = Schema.Literal("free", "standard")
export type Edition = typeof Edition.Type

/**
 * How a partner sells (docs/channel.md "Channel models"): a `reseller` buys from its distributor
 * and issues its customers' invoices; for an `agency` partner the distributor issues them and the
 * partner earns its commission.
 */
export const ChannelModel = Schema.Literal("reseller", "agency")
export type ChannelModel = typeof ChannelModel.Type

export const AccountStatus = Schema.Literal("active", "suspended")
export type AccountStatus = typeof AccountStatus.Type

/**
 * A node of the channel hierarchy above customers. `lineage` lists the ids from the platform
 * down to this account, itself included: a caller reaches an account when its own id is in it.
 */
export class Account extends Schema.Class<Account>("Account")({
  id: AccountId,
  kind: Schema.Literal("platform", "distributor", "partner"),
  parent_id: Schema.NullOr(AccountId),
  name: Schema.String,
  status: AccountStatus,
  edition: Schema.NullOr(Edition),
  /** A partner's; null for other accounts. */
  channel_model: Schema.optionalWith(Schema.NullOr(ChannelModel), { default: () => null }),
  lineage: Schema.Array(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class Distributor extends Schema.Class<Distributor>("Distributor")({
  id: AccountId,
  name: Schema.String,
  status: AccountStatus,
  created_at: Timestamp,
  updated_at: Timestamp
}) {
  static fromAccount(account: Account): Distributor {
    return new Distributor({
      id: account.id,
      name: account.name,
      status: account.status,
      created_at: account.created_at,
      updated_at: account.updated_at
    })
  }
}

export class Partner extends Schema.Class<Partner>("Partner")({
  id: AccountId,
  name: Schema.String,
  distributor_id: AccountId,
  edition: Edition,
  channel_model: ChannelModel,
  status: AccountStatus,
  created_at: Timestamp,
  updated_at: Timestamp
}) {
  static fromAccount(account: Account): Partner {
    return new Partner({
      id: account.id,
      name: account.name,
      distributor_id: account.parent_id!,
      edition: account.edition ?? "standard",
      channel_model: account.channel_model ?? "reseller",
      status: account.status,
      created_at: account.created_at,
      updated_at: account.updated_at
    })
  }
}

export class CreateDistributor extends Schema.Class<CreateDistributor>("CreateDistributor")({
  name: Name
}) {}

/** Read-only (shared/read-only.ts): taken only as they are, so an account read and sent back whole is taken. */
const accountReadOnly = { id: readOnlyField, created_at: readOnlyField, updated_at: readOnlyField }

export class UpdateDistributor extends Schema.Class<UpdateDistributor>("UpdateDistributor")({
  name: Schema.optional(Name),
  status: Schema.optional(AccountStatus),
  ...accountReadOnly
}) {}

export class CreatePartner extends Schema.Class<CreatePartner>("CreatePartner")({
  name: Name,
  /** Required when a platform admin creates the partner; a distributor creates under itself. */
  distributor_id: Schema.optional(AccountId),
  edition: Schema.optional(Edition),
  /** `reseller` when absent. */
  channel_model: Schema.optional(ChannelModel)
}) {}

export class UpdatePartner extends Schema.Class<UpdatePartner>("UpdatePartner")({
  name: Schema.optional(Name),
  status: Schema.optional(AccountStatus),
  edition: Schema.optional(Edition),
  channel_model: Schema.optional(ChannelModel),
  /** A partner stays under the distributor that created it. */
  distributor_id: readOnlyField,
  ...accountReadOnly
}) {}

export class ApiKey extends Schema.Class<ApiKey>("ApiKey")({
  id: ApiKeyId,
  account_id: Schema.String,
  role: Role,
  name: Schema.String,
  /** The first characters of the secret, so a person can tell keys apart. */
  prefix: Schema.String,
  last_used_at: Schema.NullOr(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/** The answer to a key's creation: the only time the secret is ever shown. */
export class ApiKeyCreated extends ApiKey.extend<ApiKeyCreated>("ApiKeyCreated")({
  secret: Schema.String
}) {}

export class CreateApiKey extends Schema.Class<CreateApiKey>("CreateApiKey")({
  /** An account or customer id in the caller's scope; the caller's own account when absent. */
  account_id: Schema.optional(Schema.String),
  role: Role,
  name: Schema.optional(Name)
}) {}

/** Where an account or customer sits in the hierarchy: what scope and edition checks need. */
export interface AccountScope {
  readonly id: string
  readonly kind: AccountKind
  readonly lineage: ReadonlyArray<string>
  /** The partner's edition, for partners and their customers. */
  readonly edition: Edition | null
  /** The suspended account highest in the lineage (the account itself or one above it), if any. */
  readonly suspended_by: string | null
}

/** Who is acting: resolved from a credential, passed to every use case. */
export class Principal extends Schema.Class<Principal>("Principal")({
  account_id: Schema.String,
  account_kind: AccountKind,
  role: Role,
  lineage: Schema.Array(Schema.String),
  edition: Schema.NullOr(Edition),
  api_key_id: Schema.optional(Schema.String),
  user_id: Schema.optional(Schema.String)
}) {}

/** A credential's caller, and the suspended account of its lineage if there is one (then it is refused). */
export interface Authenticated {
  readonly principal: Principal
  readonly suspended_by: string | null
}

export class Me extends Schema.Class<Me>("Me")({
  account_id: Schema.String,
  account_kind: AccountKind,
  role: Role,
  api_key_id: Schema.optional(Schema.String),
  user_id: Schema.optional(Schema.String)
}) {}
