import { DEFAULT_PAYMENT_TERMS_DAYS } from "@provisio/core/collection/model"

/**
 * A customer's collection fields resolved, as SQL over the customer row `c` (the one place the
 * defaults are written down for the database; `Customer` in core documents them):
 * - `collection_method`: as set, else `charge_automatically` while the default payment method
 *   is chargeable (not `invoice`, at a gateway other than `manual`), else `send_invoice`;
 * - `payment_terms_days`: as set, else the issuer's `settings.billing.payment_terms_days`, else 14.
 * Today the customer's partner issues its invoices.
 */
export const resolvedCollectionMethodSql = (c: string) => `coalesce(${c}.collection_method,
  case when exists (select 1 from payment_methods pm
                     where pm.customer_id = ${c}.id and pm.is_default and pm.type <> 'invoice'
                       and pm.gateway is not null and pm.gateway <> 'manual')
       then 'charge_automatically' else 'send_invoice' end)`

export const resolvedPaymentTermsSql = (c: string) => `coalesce(${c}.payment_terms_days,
  (select (s.billing ->> 'payment_terms_days')::int from account_settings s where s.account_id = ${c}.partner_id),
  ${DEFAULT_PAYMENT_TERMS_DAYS})`
