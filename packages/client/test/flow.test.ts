import { describe, expect, it } from "@effect/vitest"
import * as HttpServer from "@effect/platform/HttpServer"
import { payload, provisioClient, ProvisioError, type Schema } from "@provisio/client"
import * as Effect from "effect/Effect"
import { ADMIN_KEY } from "../../http/test/harness"
import { exampleCatalog, OrderingServer } from "../../http/test/ordering-fixtures"

/**
 * `@provisio/client` as a backend without Effect uses it, against a real server over a socket:
 * the code below is what such a user writes, and it compiles only if the document is right.
 */
describe("@provisio/client", () => {
  it.layer(OrderingServer)("against a server", (it) => {
    it.effect("distributor, partner, customer, an order checked out, its subscription read, and a typed 409", () =>
      Effect.gen(function* () {
        const catalog = yield* exampleCatalog
        const { port } = (yield* HttpServer.HttpServer).address as HttpServer.TcpAddress
        const provisio = provisioClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: ADMIN_KEY })

        yield* Effect.promise(async () => {
          const me = await provisio.GET("/api/v1/me")
          expect(me.data?.data.account_kind).toBe("platform")

          const distributor = await payload(provisio.POST("/api/v1/distributors", { body: { name: "Nordic Distribution" } }))
          const partner = await payload(
            provisio.POST("/api/v1/partners", { body: { name: "Fjord Telecom", distributor_id: distributor.id } })
          )
          const created = await provisio.POST("/api/v1/customers", {
            body: { partner_id: partner.id, external_id: "crm-1001", name: "Acme GmbH", currency: "EUR" }
          })
          expect(created.response.status).toBe(201)
          const customer: Schema<"Customer"> = created.data!.data
          expect(customer.id).toMatch(/^cus_/)

          const draft = await payload(provisio.POST("/api/v1/orders", { body: { customer_id: customer.id } }))
          await payload(provisio.POST("/api/v1/orders/{orderId}/items", {
            params: { path: { orderId: draft.id } },
            body: {
              plan_id: catalog.plans["SIP Trunk Channel Monthly"]!,
              quantity: 10,
              characteristics: { channels: 10, codec: "Opus" }
            }
          }))
          const order = await payload(provisio.POST("/api/v1/orders/{orderId}/checkout", { params: { path: { orderId: draft.id } } }))
          expect(order.status).toBe("completed")
          const subscriptionId = order.items[0]!.subscription_id!
          const subscription = await payload(
            provisio.GET("/api/v1/subscriptions/{subscriptionId}", { params: { path: { subscriptionId } } })
          )
          expect(subscription).toMatchObject({ id: subscriptionId, customer_id: customer.id, status: "active", quantity: 10 })
          const listed = await provisio.GET("/api/v1/subscriptions", { params: { query: { customer_id: customer.id, limit: 10 } } })
          expect(listed.data!.data.map((s) => s.id)).toEqual([subscriptionId])
          expect(listed.data!.meta.page.next_cursor).toBeNull()

          // The same external_id again: a 409 whose body the compiler knows.
          const again = await provisio.POST("/api/v1/customers", {
            body: { partner_id: partner.id, external_id: "crm-1001", name: "Acme again" }
          })
          expect(again.response.status).toBe(409)
          expect(again.error?.error.code).toBe("duplicate_customer")
          expect(again.error?.error.field).toBe("external_id")
          await expect(payload(provisio.GET("/api/v1/customers/{customerId}", { params: { path: { customerId: "cus_0nothing" } } })))
            .rejects.toMatchObject({ status: 404, code: "not_found" } satisfies Partial<ProvisioError>)
        })
      }))
  })
})
