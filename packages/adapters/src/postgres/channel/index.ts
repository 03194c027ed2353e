import * as Layer from "effect/Layer"
import { ChannelCostRepoLive } from "./costs.js"
import { MarginRepoLive } from "./margins.js"
import { UpstreamInvoiceRepoLive } from "./upstream.js"

/** The channel context's storage: costs, upstream invoices, margins (docs/channel.md). */
export const ChannelReposLive = Layer.mergeAll(ChannelCostRepoLive, UpstreamInvoiceRepoLive, MarginRepoLive)
