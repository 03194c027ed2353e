import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Forbidden, InvalidState, NotFound, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { excerpt } from "../shared/text.js"
import type { PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import {
  Account,
  ApiKey,
  ApiKeyCreated,
  type CreateApiKey,
  type CreateDistributor,
  type CreatePartner,
  Distributor,
  Me,
  Partner,
  Principal,
  type Role,
  type UpdateDistributor,
  type UpdatePartner
} from "./model.js"
import { canReach, reachableBy, requireAdmin, requireKind } from "./policy.js"
import { AccountRepo, ApiKeyRepo, Secrets } from "./ports.js"
import { now } from "../shared/time.js"
import { changedReadOnlyField } from "../shared/read-only.js"

export const API_KEY_PREFIX = "pvo"

/** What `X-Tenant-ID` may name: an account or a customer. */
const TENANT_ID = /^(acc|cus)_[0-9a-z]{1,64}$/
export const MIN_BOOTSTRAP_KEY_LENGTH = 32

/** An account's fields a PUT does not change, each with why (shared/read-only.ts). */
const READ_ONLY_ACCOUNT_FIELDS = {
  id: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const
const READ_ONLY_PARTNER_FIELDS = {
  distributor_id: "cannot be changed: a partner stays under the distributor that created it",
  ...READ_ONLY_ACCOUNT_FIELDS
} as const
const encodeDistributor = (distributor: Distributor) => Schema.encodeSync(Distributor)(distributor) as unknown as Record<string, unknown>
const encodePartner = (partner: Partner) => Schema.encodeSync(Partner)(partner) as unknown as Record<string, unknown>

export const make = Effect.gen(function* () {
  const accounts = yield* AccountRepo
  const apiKeys = yield* ApiKeyRepo
  const secrets = yield* Secrets
  const transactor = yield* Transactor

  /** An account of the given kind that the caller may see; anything else is "not found". */
  const findReachable = (principal: Principal, kind: Account["kind"], id: string) =>
    accounts.findById(id).pipe(
      Effect.map(Option.filter((account) => account.kind === kind)),
      reachableBy(principal, kind, id)
    )

  const newAccount = Effect.fn("Identity.newAccount")(function* (
    fields: Pick<Account, "kind" | "name" | "edition"> & { readonly parent: Account; readonly channel_model?: Account["channel_model"] }
  ) {
    const id = (yield* makeId("acc")) as Account["id"]
    const at = yield* now
    return new Account({
      id,
      kind: fields.kind,
      parent_id: fields.parent.id,
      name: fields.name,
      status: "active",
      edition: fields.edition,
      channel_model: fields.channel_model ?? null,
      lineage: [...fields.parent.lineage, id],
      created_at: at,
      updated_at: at
    })
  })

  const issueKey = Effect.fn("Identity.issueKey")(function* (
    fields: { readonly account_id: string; readonly role: Role; readonly name: string },
    secret: string
  ) {
    const at = yield* now
    const key = new ApiKey({
      id: (yield* makeId("key")) as ApiKey["id"],
      account_id: fields.account_id,
      role: fields.role,
      name: fields.name,
      prefix: secret.slice(0, API_KEY_PREFIX.length + 9),
      last_used_at: null,
      created_at: at,
      updated_at: at
    })
    const stored = yield* apiKeys.insert({ key, secret_hash: yield* secrets.hash(secret) })
    return new ApiKeyCreated({ ...stored, secret })
  })

  /**
   * On an empty database: the platform account and its first admin key. Answers the secret
   * when one was generated (the caller shows it once), nothing when the database was set up.
   */
  const bootstrap = Effect.fn("Identity.bootstrap")(function* (configuredKey: Option.Option<string>) {
    if (Option.isSome(yield* accounts.findPlatform)) return Option.none<string>()
    if (Option.isSome(configuredKey) && configuredKey.value.length < MIN_BOOTSTRAP_KEY_LENGTH) {
      return yield* ValidationError.of(
        "PROVISIO_BOOTSTRAP_KEY",
        `must be at least ${MIN_BOOTSTRAP_KEY_LENGTH} characters`
      )
    }
    const secret = Option.isSome(configuredKey) ? configuredKey.value : yield* secrets.generate(API_KEY_PREFIX)
    yield* transactor.withTransaction(Effect.gen(function* () {
      const id = (yield* makeId("acc")) as Account["id"]
      const at = yield* now
      yield* accounts.insert(new Account({
        id,
        kind: "platform",
        parent_id: null,
        name: "Platform",
        status: "active",
        edition: null,
        lineage: [id],
        created_at: at,
        updated_at: at
      }))
      yield* issueKey({ account_id: id, role: "admin", name: "bootstrap" }, secret)
    }))
    return Option.isSome(configuredKey) ? Option.none<string>() : Option.some(secret)
  })

  /**
   * The platform's admin, for commands run on the database itself: whoever can open the data
   * folder or the server already holds everything.
   */
  const platformOperator = accounts.findPlatform.pipe(
    orNotFound("account", "platform"),
    Effect.map((platform) =>
      new Principal({
        account_id: platform.id,
        account_kind: "platform",
        role: "admin",
        lineage: platform.lineage,
        edition: null
      })
    )
  )

  /**
   * `X-Tenant-ID`: the caller acting within one of its descendants, with the same role but that
   * account's scope and edition. A tenant outside the caller's scope is "not found".
   */
  const narrow = Effect.fn("Identity.narrow")(function* (principal: Principal, tenantId: string) {
    if (tenantId === principal.account_id) return principal
    // Checked for its shape before any query, as path ids are: anything else names nothing. The
    // header is named as the field, as a path parameter is on its 404.
    const notFound = (shown: string) => new NotFound({ message: `tenant ${shown} not found`, field: "X-Tenant-ID" })
    if (!TENANT_ID.test(tenantId)) return yield* notFound(excerpt(tenantId))
    const scope = yield* accounts.findScope(tenantId)
    if (Option.isNone(scope) || !canReach(principal, scope.value.lineage)) return yield* notFound(tenantId)
    return new Principal({
      ...principal,
      account_id: scope.value.id,
      account_kind: scope.value.kind,
      lineage: scope.value.lineage,
      edition: scope.value.edition
    })
  })

  const me = (principal: Principal) =>
    new Me({
      account_id: principal.account_id,
      account_kind: principal.account_kind,
      role: principal.role,
      api_key_id: principal.api_key_id,
      user_id: principal.user_id
    })

  // Distributors ------------------------------------------------------------------------------

  const createDistributor = Effect.fn("Identity.createDistributor")(function* (
    principal: Principal,
    input: CreateDistributor
  ) {
    yield* requireKind(principal, ["platform"], "create distributors")
    yield* requireAdmin(principal)
    const platform = yield* findReachable(principal, "platform", principal.account_id)
    const account = yield* newAccount({ kind: "distributor", name: input.name, edition: null, parent: platform })
    return Distributor.fromAccount(yield* accounts.insert(account))
  })

  const listDistributors = (principal: Principal, page: PageRequest, search?: string) =>
    accounts.list("distributor", principal.account_id, page, search).pipe(
      Effect.map((result) => ({ ...result, items: result.items.map(Distributor.fromAccount) }))
    )

  const getDistributor = (principal: Principal, id: string) =>
    Effect.map(findReachable(principal, "distributor", id), Distributor.fromAccount)

  /** Name changes are the account's own; suspension is decided above it. */
  const updateAccount = Effect.fn("Identity.updateAccount")(function* (
    principal: Principal,
    account: Account,
    changes: {
      readonly name?: string | undefined
      readonly status?: Account["status"] | undefined
      readonly edition?: Account["edition"] | undefined
      readonly channel_model?: Account["channel_model"] | undefined
    }
  ) {
    yield* requireAdmin(principal)
    // Who issues a partner's customers' invoices is its distributor's decision, like its edition.
    // Sent as they are (an account read and sent back whole), they change nothing and are taken.
    if (
      principal.account_id === account.id &&
      ((changes.status !== undefined && changes.status !== account.status) ||
        (changes.edition !== undefined && changes.edition !== (account.edition ?? "standard")) ||
        (changes.channel_model !== undefined && changes.channel_model !== (account.channel_model ?? "reseller")))
    ) {
      return yield* new Forbidden({ message: "an account's status, edition and channel model are changed from above it" })
    }
    return yield* accounts.update(new Account({
      ...account,
      name: changes.name ?? account.name,
      status: changes.status ?? account.status,
      edition: changes.edition ?? account.edition,
      channel_model: changes.channel_model ?? account.channel_model,
      updated_at: yield* now
    }))
  })

  const updateDistributor = Effect.fn("Identity.updateDistributor")(function* (
    principal: Principal,
    id: string,
    input: UpdateDistributor
  ) {
    const account = yield* findReachable(principal, "distributor", id)
    const readOnly = changedReadOnlyField(input, READ_ONLY_ACCOUNT_FIELDS, () => encodeDistributor(Distributor.fromAccount(account)))
    if (readOnly !== undefined) return yield* readOnly
    return Distributor.fromAccount(yield* updateAccount(principal, account, input))
  })

  const deleteAccount = Effect.fn("Identity.deleteAccount")(function* (principal: Principal, account: Account) {
    yield* requireAdmin(principal)
    if (principal.account_id === account.id) {
      return yield* new Forbidden({ message: "an account cannot delete itself" })
    }
    if (yield* accounts.hasChildren(account.id)) {
      return yield* new InvalidState({ message: `${account.kind} ${account.id} still has accounts or customers below it` })
    }
    yield* accounts.delete(account.id)
  })

  const deleteDistributor = Effect.fn("Identity.deleteDistributor")(function* (principal: Principal, id: string) {
    yield* deleteAccount(principal, yield* findReachable(principal, "distributor", id))
  })

  // Partners ----------------------------------------------------------------------------------

  const createPartner = Effect.fn("Identity.createPartner")(function* (principal: Principal, input: CreatePartner) {
    yield* requireKind(principal, ["platform", "distributor"], "create partners")
    yield* requireAdmin(principal)
    const distributorId = input.distributor_id ??
      (principal.account_kind === "distributor" ? principal.account_id : undefined)
    if (distributorId === undefined) {
      return yield* ValidationError.of("distributor_id", "is required when a platform admin creates a partner")
    }
    const distributor = yield* findReachable(principal, "distributor", distributorId).pipe(
      Effect.catchTag("NotFound", () => ValidationError.of("distributor_id", `distributor ${distributorId} does not exist`))
    )
    const account = yield* newAccount({
      kind: "partner",
      name: input.name,
      edition: input.edition ?? "standard",
      channel_model: input.channel_model ?? "reseller",
      parent: distributor
    })
    return Partner.fromAccount(yield* accounts.insert(account))
  })

  const listPartners = (principal: Principal, page: PageRequest, search?: string) =>
    accounts.list("partner", principal.account_id, page, search).pipe(
      Effect.map((result) => ({ ...result, items: result.items.map(Partner.fromAccount) }))
    )

  const getPartner = (principal: Principal, id: string) =>
    Effect.map(findReachable(principal, "partner", id), Partner.fromAccount)

  const updatePartner = Effect.fn("Identity.updatePartner")(function* (
    principal: Principal,
    id: string,
    input: UpdatePartner
  ) {
    const account = yield* findReachable(principal, "partner", id)
    const readOnly = changedReadOnlyField(input, READ_ONLY_PARTNER_FIELDS, () => encodePartner(Partner.fromAccount(account)))
    if (readOnly !== undefined) return yield* readOnly
    return Partner.fromAccount(yield* updateAccount(principal, account, input))
  })

  const deletePartner = Effect.fn("Identity.deletePartner")(function* (principal: Principal, id: string) {
    yield* deleteAccount(principal, yield* findReachable(principal, "partner", id))
  })

  // API keys ----------------------------------------------------------------------------------

  const createApiKey = Effect.fn("Identity.createApiKey")(function* (principal: Principal, input: CreateApiKey) {
    yield* requireAdmin(principal)
    const accountId = input.account_id ?? principal.account_id
    const scope = yield* accounts.findScope(accountId)
    if (Option.isNone(scope) || !canReach(principal, scope.value.lineage)) {
      return yield* ValidationError.of("account_id", `account ${accountId} does not exist`)
    }
    const secret = yield* secrets.generate(API_KEY_PREFIX)
    return yield* issueKey({ account_id: accountId, role: input.role, name: input.name ?? `${input.role} key` }, secret)
  })

  const listApiKeys = Effect.fn("Identity.listApiKeys")(function* (principal: Principal, page: PageRequest) {
    yield* requireAdmin(principal)
    return yield* apiKeys.list(principal.account_id, page)
  })

  const deleteApiKey = Effect.fn("Identity.deleteApiKey")(function* (principal: Principal, id: string) {
    yield* requireAdmin(principal)
    const key = yield* apiKeys.findById(id)
    const scope = Option.isSome(key) ? yield* accounts.findScope(key.value.account_id) : Option.none()
    if (Option.isNone(key) || Option.isNone(scope) || !canReach(principal, scope.value.lineage)) {
      return yield* NotFound.of("api key", id)
    }
    yield* apiKeys.delete(key.value.id)
  })

  return {
    bootstrap,
    platformOperator,
    narrow,
    me,
    createDistributor,
    listDistributors,
    getDistributor,
    updateDistributor,
    deleteDistributor,
    createPartner,
    listPartners,
    getPartner,
    updatePartner,
    deletePartner,
    createApiKey,
    listApiKeys,
    deleteApiKey
  } as const
})

export class Identity extends Context.Tag("@provisio/core/Identity")<Identity, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Identity, make)
}
