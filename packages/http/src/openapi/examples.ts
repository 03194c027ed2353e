import type { Spec } from "./spec.js"

/**
 * An example of each main resource, as the API answered it in the README's walk-through
 * (examples/walk-through.sh): Swagger UI and generated documentation show it beside the schema.
 * A test validates each against its schema.
 */
export const EXAMPLES: Record<string, unknown> = {
  "Customer": {
    "id": "cus_01m96kvrn0e4aq0jscdn2xdywf",
    "partner_id": "acc_01m96kvrh4ewz6tt8abcn0h2s3",
    "external_id": "crm-1001",
    "name": "Acme GmbH",
    "email": "billing@acme.example",
    "phone": null,
    "status": "active",
    "timezone": "Europe/Berlin",
    "currency": "EUR",
    "address": {
      "line1": "Hauptstr. 1",
      "line2": null,
      "city": "Berlin",
      "state": null,
      "postal_code": "10115",
      "country": "DE"
    },
    "metadata": {},
    "collection_method": "send_invoice",
    "payment_terms_days": 14,
    "dunning": "active",
    "dunning_stage": null,
    "language": "en",
    "tax_id": "DE811907980",
    "tax_exempt": "none",
    "e_invoicing": false,
    "created_at": "2026-12-06T21:23:51.072Z",
    "updated_at": "2026-12-06T21:23:51.072Z"
  },
  "Order": {
    "id": "ord_01m96kvs6v8h4j7sfw2hvdtyqm",
    "customer_id": "cus_01m96kvrn0e4aq0jscdn2xdywf",
    "status": "completed",
    "items": [
      {
        "id": "oit_01m96kvsae8s1cb8c6951pr4sq",
        "action": "create",
        "plan_id": "pln_01m96kvnf255rnp5p8xavat8zv",
        "plan_version": 1,
        "sku_id": null,
        "quantity": 10,
        "subscription_id": "sub_01m96kvsdr3gdb2gssrynhn9be",
        "parent_subscription_id": null,
        "characteristics": {
          "codec": "Opus",
          "channels": 10
        },
        "status": "completed",
        "error": null,
        "unit_price": {
          "amount": "15.00",
          "currency": "EUR"
        },
        "amount": {
          "amount": "150.00",
          "currency": "EUR"
        }
      },
      {
        "id": "oit_01m96kvsc3dker09jkad7bktge",
        "action": "purchase",
        "plan_id": null,
        "plan_version": null,
        "sku_id": "sku_01m96kvn6bcw8c81sccqpwg7gk",
        "quantity": 1,
        "subscription_id": null,
        "parent_subscription_id": null,
        "characteristics": {},
        "status": "completed",
        "error": null,
        "unit_price": null,
        "amount": {
          "amount": "2.50",
          "currency": "EUR"
        }
      }
    ],
    "total": {
      "amount": "152.50",
      "currency": "EUR"
    },
    "submitted_at": "2026-12-06T21:23:51.854Z",
    "completed_at": "2026-12-06T21:23:51.854Z",
    "cancelled_at": null,
    "created_at": "2026-12-06T21:23:51.643Z",
    "updated_at": "2026-12-06T21:23:51.854Z"
  },
  "Subscription": {
    "id": "sub_01m96kvsdr3gdb2gssrynhn9be",
    "customer_id": "cus_01m96kvrn0e4aq0jscdn2xdywf",
    "product_id": "prd_01m96kvn9eegncxwy2kpxryhvs",
    "plan_id": "pln_01m96kvnf255rnp5p8xavat8zv",
    "plan_version": 1,
    "name": null,
    "status": "active",
    "quantity": 10,
    "auto_renew": true,
    "current_period_start": "2026-12-06T21:23:51.854Z",
    "current_period_end": "2027-01-06T21:23:51.854Z",
    "cancel_at_period_end": false,
    "cancelled_at": null,
    "expired_at": null,
    "parent_subscription_id": null,
    "characteristics": {
      "codec": "Opus",
      "channels": 10
    },
    "custom_fields": {},
    "order_id": "ord_01m96kvs6v8h4j7sfw2hvdtyqm",
    "created_at": "2026-12-06T21:23:51.854Z",
    "updated_at": "2026-12-06T21:23:51.854Z"
  },
  "Invoice": {
    "id": "inv_01m96kvssfc992f5a1jk2m70je",
    "number": "INV-2026-000001",
    "customer_id": "cus_01m96kvrn0e4aq0jscdn2xdywf",
    "issuer_account_id": "acc_01m96kvrh4ewz6tt8abcn0h2s3",
    "bill_to_account_id": null,
    "status": "paid",
    "currency": "EUR",
    "period": "2026-12",
    "billing_run_id": "brn_01m96kvsqtf1s6szrhnfsm2zze",
    "lines": [
      {
        "kind": "one_off",
        "description": "Call recording storage",
        "subscription_id": null,
        "product_id": null,
        "plan_id": null,
        "sku_id": "sku_01m96kvn6bcw8c81sccqpwg7gk",
        "period_start": null,
        "period_end": null,
        "quantity": "1",
        "unit_price": null,
        "amount": "2.50",
        "details": {},
        "order_item_id": "oit_01m96kvsc3dker09jkad7bktge",
        "credit_note_id": null,
        "tax_rate": null,
        "tax_category": null
      }
    ],
    "subtotal": {
      "amount": "2.50",
      "currency": "EUR"
    },
    "tax": [],
    "tax_total": {
      "amount": "0.00",
      "currency": "EUR"
    },
    "total": {
      "amount": "2.50",
      "currency": "EUR"
    },
    "amount_paid": {
      "amount": "2.50",
      "currency": "EUR"
    },
    "amount_due": {
      "amount": "0.00",
      "currency": "EUR"
    },
    "finalizes_at": null,
    "finalized_at": "2026-12-06T21:23:52.255Z",
    "paid_at": "2026-12-06T21:23:52.585Z",
    "voided_at": null,
    "due_at": "2026-12-20T21:23:52.255Z",
    "due_date": "2026-12-20",
    "payment_reference": "RF94INV2026000001",
    "collection_method": "send_invoice",
    "disputed": false,
    "payment_attempts": [],
    "created_at": "2026-12-06T21:23:52.223Z",
    "updated_at": "2026-12-06T21:23:52.585Z"
  },
  "Payment": {
    "id": "pay_01m96kvt49a9yk2948gxnbty11",
    "customer_id": "cus_01m96kvrn0e4aq0jscdn2xdywf",
    "invoice_id": "inv_01m96kvssfc992f5a1jk2m70je",
    "amount": {
      "amount": "2.50",
      "currency": "EUR"
    },
    "payment_method_id": null,
    "gateway": "manual",
    "gateway_reference": "manual-pay_01m96kvt49a9yk2948gxnbty11",
    "status": "succeeded",
    "failure_reason": null,
    "created_at": "2026-12-06T21:23:52.585Z",
    "updated_at": "2026-12-06T21:23:52.585Z"
  },
  "Plan": {
    "id": "pln_01m96kvnc54n9nyht7hkpxfa72",
    "product_id": "prd_01m96kvn6x2t0pwfrp64m9nmtn",
    "name": "Toll-Free Number US Monthly",
    "version": 1,
    "status": "published",
    "price": {
      "amount": "2.00",
      "currency": "USD"
    },
    "billing_interval": "month",
    "commitment_months": null,
    "addon_plan_ids": [],
    "sku_ids": [
      "sku_01m96kvn37533fyggywyey62mr"
    ],
    "published_version": 1,
    "tax_behavior": "exclusive",
    "tax_category": "telecom",
    "place_of_supply": "customer",
    "created_at": "2026-12-06T21:23:47.717Z",
    "updated_at": "2026-12-06T21:23:47.750Z"
  },
  "Product": {
    "id": "prd_01m96kvn6x2t0pwfrp64m9nmtn",
    "name": "Toll-Free Number",
    "type": "phone_number",
    "availability": [
      {
        "country": "US",
        "city": null,
        "city_id": null
      },
      {
        "country": "US",
        "city": "New York",
        "city_id": "cty_01m96kvn7aad21gmjw34cbc63f"
      },
      {
        "country": "US",
        "city": "Chicago",
        "city_id": "cty_01m96kvn7g5znhkmf9sxt8kn5r"
      },
      {
        "country": "GB",
        "city": "London",
        "city_id": "cty_01m96kvn7qcdbdxys99f31ym04"
      },
      {
        "country": "GB",
        "city": "Manchester",
        "city_id": "cty_01m96kvn7sf5jc9789c6b4pqyr"
      },
      {
        "country": "DE",
        "city": "Berlin",
        "city_id": "cty_01m96kvn7z1s0kwd88vra1ge8w"
      },
      {
        "country": "DE",
        "city": "Frankfurt am Main",
        "city_id": "cty_01m96kvn811czzfhzke09d715z"
      },
      {
        "country": "NL",
        "city": "Amsterdam",
        "city_id": "cty_01m96kvn8b8d99ebwf3x0bd0p6"
      }
    ],
    "characteristics": [
      {
        "name": "routing_destination",
        "type": "string",
        "required": true,
        "allowed_values": null
      },
      {
        "name": "call_forwarding",
        "type": "boolean",
        "required": false,
        "allowed_values": null
      },
      {
        "name": "number_format",
        "type": "enum",
        "required": false,
        "allowed_values": [
          "national",
          "international"
        ]
      }
    ],
    "created_at": "2026-12-06T21:23:47.549Z",
    "updated_at": "2026-12-06T21:23:47.549Z"
  },
  "Partner": {
    "id": "acc_01m96kvrh4ewz6tt8abcn0h2s3",
    "name": "Fjord Telecom",
    "distributor_id": "acc_01m96kvrejc13vppd2x7kq1yjw",
    "edition": "standard",
    "channel_model": "reseller",
    "status": "active",
    "created_at": "2026-12-06T21:23:50.948Z",
    "updated_at": "2026-12-06T21:23:50.948Z"
  },
  "Distributor": {
    "id": "acc_01m96kvrejc13vppd2x7kq1yjw",
    "name": "Nordic Distribution",
    "status": "active",
    "created_at": "2026-12-06T21:23:50.866Z",
    "updated_at": "2026-12-06T21:23:50.866Z"
  }
}

export const withExamples = (spec: Spec): Spec => {
  for (const [name, example] of Object.entries(EXAMPLES)) {
    const schema = spec.components?.schemas?.[name]
    if (schema !== undefined) schema.examples = [example]
  }
  return spec
}
