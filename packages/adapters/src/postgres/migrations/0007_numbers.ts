import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Trigram indexes make `?contains=` (digits anywhere) index-backed. A trusted extension: the
  // database's owner may create it. PGlite ships it as a contrib bundle, which embedded/pglite.ts
  // loads into every PGlite it opens.
  yield* sql`create extension if not exists pg_trgm`
  yield* sql`
    create table reservations (
      id text primary key,
      customer_id text not null references customers (id) on delete cascade,
      numbers text[] not null,
      expires_at timestamptz not null,
      released_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index reservations_customer on reservations (customer_id, id)`
  // The number is its own key, E.164. Collation "C" orders numbers by their digits and lets the
  // btree indexes answer prefix searches (LIKE '+4930%'). A reserved number records its
  // reservation and until when it is held; past that instant it is available to searches and
  // claims without anything rewriting the row.
  yield* sql`
    create table numbers (
      number text collate "C" primary key check (number ~ '^[+][1-9][0-9]{7,14}$'),
      product_id text not null references products (id),
      country text not null,
      city_id text references cities (id),
      state text not null default 'available'
        check (state in ('available', 'reserved', 'assigned', 'porting', 'quarantined')),
      reservation_id text references reservations (id) on delete set null,
      reserved_until timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check ((state = 'reserved') = (reserved_until is not null))
    )`
  // Search reads only numbers that are or may be available (a reservation may have expired), in
  // number order: one index per shape of the common searches, each partial on those states, so
  // each answers in number order without sorting. Without a product or country, the primary key
  // serves a prefix (`starts_with`) and the order; digits anywhere (`contains`) use trigrams.
  yield* sql`
    create index numbers_search_city on numbers (product_id, country, city_id, number)
     where state in ('available', 'reserved')`
  yield* sql`
    create index numbers_search_product on numbers (product_id, country, number)
     where state in ('available', 'reserved')`
  yield* sql`
    create index numbers_search_country on numbers (country, number)
     where state in ('available', 'reserved')`
  yield* sql`
    create index numbers_search_digits on numbers using gin (number gin_trgm_ops)
     where state in ('available', 'reserved')`
  // Releasing a reservation, and the foreign key's `on delete set null`.
  yield* sql`create index numbers_reservation on numbers (reservation_id) where reservation_id is not null`
})
