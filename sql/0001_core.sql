-- 0001_core.sql: currencies, the tenant registry, and the tenant-owned ledger.
--
-- Run by the migration runner in one transaction, after bootstrap.sql, with
-- `SET LOCAL ROLE collections_owner` already in effect, so every object below is
-- owned by collections_owner. No BEGIN/COMMIT here; no roles created here.
--
-- Tenancy recipe (see DESIGN.md):
--   * every tenant-owned table starts with `tenant_id uuid not null references
--     tenants(id) on delete cascade`, which is also the first primary-key column;
--     every unique key and every foreign key between tenant tables includes it;
--   * row-level security ENABLEd and FORCEd on each, with two policies (created
--     together at the end of this file):
--       tenant_isolation  (all roles, permissive)
--           USING / WITH CHECK (tenant_id = current_tenant_id())
--       tenant_active     (collections_app, restrictive)
--           USING / WITH CHECK ((select current_tenant_is_active()))
--   * collections_app gets SELECT, INSERT, UPDATE, DELETE (never TRUNCATE or
--     REFERENCES) through the default privileges set by bootstrap.sql and the
--     explicit grants below.
--
-- Money is bigint minor units plus a currency code; dates are `date`.

------------------------------------------------------------------------------
-- Reference data: ISO 4217 currencies (global, read-only for the app).
------------------------------------------------------------------------------

CREATE TABLE currencies (
    code     char(3)  PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    exponent smallint NOT NULL CHECK (exponent BETWEEN 0 AND 4),
    name     text     NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200)
);

COMMENT ON TABLE currencies IS
    'ISO 4217 currencies with a defined minor unit; exponent = number of decimal places of the minor unit.';

-- ISO 4217 list one: every current currency and fund code with a defined
-- minor unit (169 codes, including ANG and its successor XCG, ZWG, SLE/SLL,
-- VES/VED). Left out: codes whose minor unit is "N.A." (precious metals XAU,
-- XAG, XPD, XPT; units of account XBA-XBD, XDR, XSU, XUA; XTS, XXX) and HRK
-- (withdrawn 2023). Names from the Debian iso-codes list.
INSERT INTO currencies (code, exponent, name) VALUES
    ('AED', 2, 'UAE Dirham'),
    ('AFN', 2, 'Afghani'),
    ('ALL', 2, 'Lek'),
    ('AMD', 2, 'Armenian Dram'),
    ('ANG', 2, 'Netherlands Antillean Guilder'),
    ('AOA', 2, 'Kwanza'),
    ('ARS', 2, 'Argentine Peso'),
    ('AUD', 2, 'Australian Dollar'),
    ('AWG', 2, 'Aruban Florin'),
    ('AZN', 2, 'Azerbaijan Manat'),
    ('BAM', 2, 'Convertible Mark'),
    ('BBD', 2, 'Barbados Dollar'),
    ('BDT', 2, 'Taka'),
    ('BGN', 2, 'Bulgarian Lev'),
    ('BHD', 3, 'Bahraini Dinar'),
    ('BIF', 0, 'Burundi Franc'),
    ('BMD', 2, 'Bermudian Dollar'),
    ('BND', 2, 'Brunei Dollar'),
    ('BOB', 2, 'Boliviano'),
    ('BOV', 2, 'Mvdol'),
    ('BRL', 2, 'Brazilian Real'),
    ('BSD', 2, 'Bahamian Dollar'),
    ('BTN', 2, 'Ngultrum'),
    ('BWP', 2, 'Pula'),
    ('BYN', 2, 'Belarusian Ruble'),
    ('BZD', 2, 'Belize Dollar'),
    ('CAD', 2, 'Canadian Dollar'),
    ('CDF', 2, 'Congolese Franc'),
    ('CHE', 2, 'WIR Euro'),
    ('CHF', 2, 'Swiss Franc'),
    ('CHW', 2, 'WIR Franc'),
    ('CLF', 4, 'Unidad de Fomento'),
    ('CLP', 0, 'Chilean Peso'),
    ('CNY', 2, 'Yuan Renminbi'),
    ('COP', 2, 'Colombian Peso'),
    ('COU', 2, 'Unidad de Valor Real'),
    ('CRC', 2, 'Costa Rican Colon'),
    ('CUC', 2, 'Peso Convertible'),
    ('CUP', 2, 'Cuban Peso'),
    ('CVE', 2, 'Cabo Verde Escudo'),
    ('CZK', 2, 'Czech Koruna'),
    ('DJF', 0, 'Djibouti Franc'),
    ('DKK', 2, 'Danish Krone'),
    ('DOP', 2, 'Dominican Peso'),
    ('DZD', 2, 'Algerian Dinar'),
    ('EGP', 2, 'Egyptian Pound'),
    ('ERN', 2, 'Nakfa'),
    ('ETB', 2, 'Ethiopian Birr'),
    ('EUR', 2, 'Euro'),
    ('FJD', 2, 'Fiji Dollar'),
    ('FKP', 2, 'Falkland Islands Pound'),
    ('GBP', 2, 'Pound Sterling'),
    ('GEL', 2, 'Lari'),
    ('GHS', 2, 'Ghana Cedi'),
    ('GIP', 2, 'Gibraltar Pound'),
    ('GMD', 2, 'Dalasi'),
    ('GNF', 0, 'Guinean Franc'),
    ('GTQ', 2, 'Quetzal'),
    ('GYD', 2, 'Guyana Dollar'),
    ('HKD', 2, 'Hong Kong Dollar'),
    ('HNL', 2, 'Lempira'),
    ('HTG', 2, 'Gourde'),
    ('HUF', 2, 'Forint'),
    ('IDR', 2, 'Rupiah'),
    ('ILS', 2, 'New Israeli Sheqel'),
    ('INR', 2, 'Indian Rupee'),
    ('IQD', 3, 'Iraqi Dinar'),
    ('IRR', 2, 'Iranian Rial'),
    ('ISK', 0, 'Iceland Krona'),
    ('JMD', 2, 'Jamaican Dollar'),
    ('JOD', 3, 'Jordanian Dinar'),
    ('JPY', 0, 'Yen'),
    ('KES', 2, 'Kenyan Shilling'),
    ('KGS', 2, 'Som'),
    ('KHR', 2, 'Riel'),
    ('KMF', 0, 'Comorian Franc'),
    ('KPW', 2, 'North Korean Won'),
    ('KRW', 0, 'Won'),
    ('KWD', 3, 'Kuwaiti Dinar'),
    ('KYD', 2, 'Cayman Islands Dollar'),
    ('KZT', 2, 'Tenge'),
    ('LAK', 2, 'Lao Kip'),
    ('LBP', 2, 'Lebanese Pound'),
    ('LKR', 2, 'Sri Lanka Rupee'),
    ('LRD', 2, 'Liberian Dollar'),
    ('LSL', 2, 'Loti'),
    ('LYD', 3, 'Libyan Dinar'),
    ('MAD', 2, 'Moroccan Dirham'),
    ('MDL', 2, 'Moldovan Leu'),
    ('MGA', 2, 'Malagasy Ariary'),
    ('MKD', 2, 'Denar'),
    ('MMK', 2, 'Kyat'),
    ('MNT', 2, 'Tugrik'),
    ('MOP', 2, 'Pataca'),
    ('MRU', 2, 'Ouguiya'),
    ('MUR', 2, 'Mauritius Rupee'),
    ('MVR', 2, 'Rufiyaa'),
    ('MWK', 2, 'Malawi Kwacha'),
    ('MXN', 2, 'Mexican Peso'),
    ('MXV', 2, 'Mexican Unidad de Inversion (UDI)'),
    ('MYR', 2, 'Malaysian Ringgit'),
    ('MZN', 2, 'Mozambique Metical'),
    ('NAD', 2, 'Namibia Dollar'),
    ('NGN', 2, 'Naira'),
    ('NIO', 2, 'Cordoba Oro'),
    ('NOK', 2, 'Norwegian Krone'),
    ('NPR', 2, 'Nepalese Rupee'),
    ('NZD', 2, 'New Zealand Dollar'),
    ('OMR', 3, 'Rial Omani'),
    ('PAB', 2, 'Balboa'),
    ('PEN', 2, 'Sol'),
    ('PGK', 2, 'Kina'),
    ('PHP', 2, 'Philippine Peso'),
    ('PKR', 2, 'Pakistan Rupee'),
    ('PLN', 2, 'Zloty'),
    ('PYG', 0, 'Guarani'),
    ('QAR', 2, 'Qatari Rial'),
    ('RON', 2, 'Romanian Leu'),
    ('RSD', 2, 'Serbian Dinar'),
    ('RUB', 2, 'Russian Ruble'),
    ('RWF', 0, 'Rwanda Franc'),
    ('SAR', 2, 'Saudi Riyal'),
    ('SBD', 2, 'Solomon Islands Dollar'),
    ('SCR', 2, 'Seychelles Rupee'),
    ('SDG', 2, 'Sudanese Pound'),
    ('SEK', 2, 'Swedish Krona'),
    ('SGD', 2, 'Singapore Dollar'),
    ('SHP', 2, 'Saint Helena Pound'),
    ('SLE', 2, 'Leone'),
    ('SLL', 2, 'Leone'),
    ('SOS', 2, 'Somali Shilling'),
    ('SRD', 2, 'Surinam Dollar'),
    ('SSP', 2, 'South Sudanese Pound'),
    ('STN', 2, 'Dobra'),
    ('SVC', 2, 'El Salvador Colon'),
    ('SYP', 2, 'Syrian Pound'),
    ('SZL', 2, 'Lilangeni'),
    ('THB', 2, 'Baht'),
    ('TJS', 2, 'Somoni'),
    ('TMT', 2, 'Turkmenistan New Manat'),
    ('TND', 3, 'Tunisian Dinar'),
    ('TOP', 2, 'Pa’anga'),
    ('TRY', 2, 'Turkish Lira'),
    ('TTD', 2, 'Trinidad and Tobago Dollar'),
    ('TWD', 2, 'New Taiwan Dollar'),
    ('TZS', 2, 'Tanzanian Shilling'),
    ('UAH', 2, 'Hryvnia'),
    ('UGX', 0, 'Uganda Shilling'),
    ('USD', 2, 'US Dollar'),
    ('USN', 2, 'US Dollar (Next day)'),
    ('UYI', 0, 'Uruguay Peso en Unidades Indexadas (UI)'),
    ('UYU', 2, 'Peso Uruguayo'),
    ('UYW', 4, 'Unidad Previsional'),
    ('UZS', 2, 'Uzbekistan Sum'),
    ('VED', 2, 'Bolívar Soberano'),
    ('VES', 2, 'Bolívar Soberano'),
    ('VND', 0, 'Dong'),
    ('VUV', 0, 'Vatu'),
    ('WST', 2, 'Tala'),
    ('XAF', 0, 'CFA Franc BEAC'),
    ('XCD', 2, 'East Caribbean Dollar'),
    ('XCG', 2, 'Caribbean Guilder'),
    ('XOF', 0, 'CFA Franc BCEAO'),
    ('XPF', 0, 'CFP Franc'),
    ('YER', 2, 'Yemeni Rial'),
    ('ZAR', 2, 'Rand'),
    ('ZMW', 2, 'Zambian Kwacha'),
    ('ZWG', 2, 'Zimbabwe Gold'),
    ('ZWL', 2, 'Zimbabwe Dollar');

REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON currencies FROM collections_app;
GRANT SELECT ON currencies TO collections_app;

------------------------------------------------------------------------------
-- The current tenant.
------------------------------------------------------------------------------

-- The tenant of the current transaction, set with
--   SELECT set_config('app.tenant_id', $1, true)
-- NULL when unset or when a committed transaction left the setting at ''.
-- Plain SQL, no FROM, no SET clause: the planner inlines it, so a policy
-- `tenant_id = current_tenant_id()` becomes an index condition.
CREATE FUNCTION current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

------------------------------------------------------------------------------
-- Tenant registry (owned and administered by collections_owner).
------------------------------------------------------------------------------

-- Upper limits (days past due) of the past-due ageing buckets, e.g. {30,60,90}
-- gives 1-30, 31-60, 61-90, 91+. One dimension, 1..20 elements, no NULLs,
-- positive, strictly increasing, at most 100 years.
CREATE FUNCTION ageing_bucket_limits_valid(limits int[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    select coalesce(
        array_ndims(limits) = 1
        and cardinality(limits) between 1 and 20
        and array_position(limits, null) is null
        and limits[array_lower(limits, 1)] > 0
        and limits[array_upper(limits, 1)] <= 36500
        and not exists (
            select 1
            from generate_subscripts(limits, 1) as s(i)
            where i > array_lower(limits, 1) and limits[i] <= limits[i - 1]
        ),
        false)
$$;

CREATE TABLE tenants (
    id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                 text        NOT NULL UNIQUE
                                     CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name                 text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    default_currency     char(3)     REFERENCES currencies (code),
    time_zone            text        NOT NULL CHECK (char_length(time_zone) BETWEEN 1 AND 64),
    status               text        NOT NULL DEFAULT 'active'
                                     CHECK (status IN ('active', 'suspended')),
    suspended_at         timestamptz,
    ageing_bucket_limits int[]       NOT NULL DEFAULT '{30,60,90}'
                                     CHECK (ageing_bucket_limits_valid(ageing_bucket_limits)),
    dso_period_days      int         NOT NULL DEFAULT 90 CHECK (dso_period_days BETWEEN 1 AND 730),
    cei_period_days      int         NOT NULL DEFAULT 30 CHECK (cei_period_days BETWEEN 1 AND 365),
    promise_grace_days   int         NOT NULL DEFAULT 0  CHECK (promise_grace_days BETWEEN 0 AND 60),
    created_at           timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tenants IS
    'Tenant registry. Written only by collections_owner (admin CLI); collections_app sees only the row of app.tenant_id.';

-- Not FORCEd: the owner (admin operations) sees every tenant; the app role
-- sees its own row only, and may not write.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_self ON tenants TO collections_app
    USING (id = current_tenant_id());

REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON tenants FROM collections_app;
GRANT SELECT ON tenants TO collections_app;

-- True when the current tenant exists and is active. Used by the restrictive
-- policy tenant_active as an initplan, `(select current_tenant_is_active())`,
-- so it runs once per query. Not SECURITY DEFINER: as collections_app it reads
-- tenants through tenant_self. Names are schema-qualified because a SQL
-- function body is resolved with the caller's search_path (pg_temp first).
CREATE FUNCTION current_tenant_is_active() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    select exists (
        select 1 from public.tenants
        where id = public.current_tenant_id() and status = 'active'
    )
$$;

------------------------------------------------------------------------------
-- Shared trigger functions (plain, invoker rights).
------------------------------------------------------------------------------

CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
begin
    new.updated_at := now();
    return new;
end
$$;

------------------------------------------------------------------------------
-- Tenant-owned tables.
------------------------------------------------------------------------------

-- API keys: the secret is shown once; only its SHA-256 is stored.
CREATE TABLE api_keys (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    prefix       text        NOT NULL CHECK (char_length(prefix) BETWEEN 1 AND 64),
    secret_hash  bytea       NOT NULL CHECK (octet_length(secret_hash) = 32),
    label        text        CHECK (char_length(label) <= 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT api_keys_prefix_key UNIQUE (tenant_id, prefix)
);

CREATE TABLE clients (
    tenant_id          uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
    ref                text        NOT NULL CHECK (char_length(ref) BETWEEN 1 AND 64),
    name               text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    email              text        CHECK (char_length(email) BETWEEN 3 AND 254),
    phone              text        CHECK (char_length(phone) BETWEEN 1 AND 64),
    preferred_channel  text        CHECK (preferred_channel IN ('call', 'email', 'sms', 'letter', 'visit', 'portal')),
    do_not_contact     boolean     NOT NULL DEFAULT false,
    payment_terms_days int         NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 3650),
    credit_limit_minor bigint      CHECK (credit_limit_minor >= 0),
    currency           char(3)     REFERENCES currencies (code),
    status             text        NOT NULL DEFAULT 'active'
                                   CHECK (status IN ('active', 'on_hold', 'agency', 'closed')),
    agency_name        text        CHECK (char_length(agency_name) BETWEEN 1 AND 200),
    agency_placed_on   date,
    assigned_collector text        CHECK (char_length(assigned_collector) BETWEEN 1 AND 200),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT clients_ref_key UNIQUE (tenant_id, ref),
    -- An amount is never stored without its currency.
    CONSTRAINT clients_credit_limit_currency_check
        CHECK (credit_limit_minor IS NULL OR currency IS NOT NULL),
    CONSTRAINT clients_agency_check
        CHECK (status <> 'agency' OR (agency_name IS NOT NULL AND agency_placed_on IS NOT NULL))
);

CREATE TRIGGER clients_set_updated_at BEFORE UPDATE ON clients
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- late_fee_percent_bp: basis points per month of the overdue balance
-- (150 = 1.5% a month). late_fee_grace_days: days after due_on before a fee.
CREATE TABLE invoices (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    client_id           uuid        NOT NULL,
    number              text        NOT NULL CHECK (char_length(number) BETWEEN 1 AND 64),
    currency            char(3)     NOT NULL REFERENCES currencies (code),
    amount_minor        bigint      NOT NULL CHECK (amount_minor > 0),
    issued_on           date        NOT NULL,
    due_on              date        NOT NULL,
    late_fee_policy     text        NOT NULL DEFAULT 'none'
                                    CHECK (late_fee_policy IN ('none', 'flat', 'percent')),
    late_fee_flat_minor bigint      CHECK (late_fee_flat_minor > 0),
    late_fee_percent_bp int         CHECK (late_fee_percent_bp BETWEEN 1 AND 10000),
    late_fee_grace_days int         NOT NULL DEFAULT 0 CHECK (late_fee_grace_days BETWEEN 0 AND 365),
    voided_on           date,
    void_reason         text        CHECK (char_length(void_reason) BETWEEN 1 AND 1000),
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT invoices_number_key UNIQUE (tenant_id, number),
    -- Lets contact_notes require that a note's invoice belongs to the note's
    -- client; also serves "invoices of a client".
    CONSTRAINT invoices_client_id_key UNIQUE (tenant_id, client_id, id),
    CONSTRAINT invoices_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES clients (tenant_id, id),
    CONSTRAINT invoices_due_check CHECK (due_on >= issued_on),
    CONSTRAINT invoices_late_fee_check CHECK (
        CASE late_fee_policy
            WHEN 'none'    THEN late_fee_flat_minor IS NULL     AND late_fee_percent_bp IS NULL
            WHEN 'flat'    THEN late_fee_flat_minor IS NOT NULL AND late_fee_percent_bp IS NULL
            WHEN 'percent' THEN late_fee_flat_minor IS NULL     AND late_fee_percent_bp IS NOT NULL
        END),
    CONSTRAINT invoices_void_check CHECK (
        (voided_on IS NULL OR voided_on >= issued_on)
        AND (void_reason IS NULL OR voided_on IS NOT NULL))
);

CREATE INDEX invoices_issued_idx ON invoices (tenant_id, issued_on)
    INCLUDE (id, client_id, currency, amount_minor, due_on, voided_on);

-- Late fees, interest and other charges added to an invoice's balance (in the
-- invoice's currency). period_key makes accrual idempotent: one 'late_fee' per
-- invoice per period (e.g. '2013-06'); NULL keys never conflict.
CREATE TABLE invoice_charges (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    invoice_id   uuid        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('late_fee', 'interest', 'other')),
    amount_minor bigint      NOT NULL CHECK (amount_minor > 0),
    charged_on   date        NOT NULL,
    period_key   text        CHECK (char_length(period_key) BETWEEN 1 AND 64),
    note         text        CHECK (char_length(note) <= 1000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT invoice_charges_period_key UNIQUE (tenant_id, invoice_id, kind, period_key),
    CONSTRAINT invoice_charges_invoice_fkey FOREIGN KEY (tenant_id, invoice_id)
        REFERENCES invoices (tenant_id, id)
);

CREATE INDEX invoice_charges_invoice_idx ON invoice_charges (tenant_id, invoice_id)
    INCLUDE (charged_on, amount_minor);

CREATE TABLE payments (
    tenant_id       uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    client_id       uuid        NOT NULL,
    reference       text        NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 64),
    currency        char(3)     NOT NULL REFERENCES currencies (code),
    amount_minor    bigint      NOT NULL CHECK (amount_minor > 0),
    received_on     date        NOT NULL,
    method          text        CHECK (char_length(method) BETWEEN 1 AND 64),
    reversed_on     date,
    reversal_reason text        CHECK (char_length(reversal_reason) BETWEEN 1 AND 1000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT payments_reference_key UNIQUE (tenant_id, reference),
    CONSTRAINT payments_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES clients (tenant_id, id),
    CONSTRAINT payments_reversal_check CHECK (
        (reversed_on IS NULL OR reversed_on >= received_on)
        AND (reversal_reason IS NULL OR reversed_on IS NOT NULL))
);

CREATE INDEX payments_client_idx ON payments (tenant_id, client_id, received_on)
    INCLUDE (currency, amount_minor, reversed_on);

-- How much of a payment went to which invoice, and when.
CREATE TABLE payment_applications (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    payment_id   uuid        NOT NULL,
    invoice_id   uuid        NOT NULL,
    amount_minor bigint      NOT NULL CHECK (amount_minor > 0),
    applied_on   date        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT payment_applications_payment_fkey FOREIGN KEY (tenant_id, payment_id)
        REFERENCES payments (tenant_id, id),
    CONSTRAINT payment_applications_invoice_fkey FOREIGN KEY (tenant_id, invoice_id)
        REFERENCES invoices (tenant_id, id)
);

CREATE INDEX payment_applications_invoice_idx ON payment_applications (tenant_id, invoice_id)
    INCLUDE (amount_minor, applied_on, payment_id);
CREATE INDEX payment_applications_payment_idx ON payment_applications (tenant_id, payment_id)
    INCLUDE (amount_minor, applied_on);

-- Without it the planner misjudges per-invoice group counts (PERFORMANCE-NOTES).
CREATE STATISTICS payment_applications_tenant_invoice_stats (ndistinct)
    ON tenant_id, invoice_id FROM payment_applications;

-- An application never mixes currencies and never predates its payment.
-- BEFORE trigger, invoker rights, reads through RLS: when the payment or the
-- invoice is not visible it lets the row through so that the foreign key
-- reports it (same error for another tenant's row as for a missing one).
CREATE FUNCTION payment_applications_check() RETURNS trigger
    LANGUAGE plpgsql
AS $$
declare
    pay_currency  char(3);
    pay_received  date;
    inv_currency  char(3);
begin
    select p.currency, p.received_on into pay_currency, pay_received
    from public.payments p
    where p.tenant_id = new.tenant_id and p.id = new.payment_id;

    select i.currency into inv_currency
    from public.invoices i
    where i.tenant_id = new.tenant_id and i.id = new.invoice_id;

    if pay_currency is not null and inv_currency is not null
       and pay_currency <> inv_currency then
        raise exception 'payment currency % does not match invoice currency %',
                pay_currency, inv_currency
            using errcode = 'check_violation',
                  table = 'payment_applications',
                  constraint = 'payment_applications_currency_check';
    end if;

    if pay_received is not null and new.applied_on < pay_received then
        raise exception 'payment applied on % before it was received on %',
                new.applied_on, pay_received
            using errcode = 'check_violation',
                  table = 'payment_applications',
                  constraint = 'payment_applications_applied_on_check';
    end if;

    return new;
end
$$;

CREATE TRIGGER payment_applications_check
    BEFORE INSERT OR UPDATE OF tenant_id, payment_id, invoice_id, applied_on
    ON payment_applications
    FOR EACH ROW EXECUTE FUNCTION payment_applications_check();

CREATE TABLE write_offs (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             uuid        NOT NULL DEFAULT gen_random_uuid(),
    invoice_id     uuid        NOT NULL,
    amount_minor   bigint      NOT NULL CHECK (amount_minor > 0),
    written_off_on date        NOT NULL,
    reason         text        NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT write_offs_invoice_fkey FOREIGN KEY (tenant_id, invoice_id)
        REFERENCES invoices (tenant_id, id)
);

CREATE INDEX write_offs_invoice_idx ON write_offs (tenant_id, invoice_id)
    INCLUDE (written_off_on, amount_minor);

-- An invoice is disputed at D when opened_on <= D and (resolved_on IS NULL or
-- resolved_on > D).
CREATE TABLE disputes (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    invoice_id  uuid        NOT NULL,
    opened_on   date        NOT NULL,
    reason      text        NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
    resolved_on date,
    resolution  text        CHECK (char_length(resolution) BETWEEN 1 AND 1000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT disputes_invoice_fkey FOREIGN KEY (tenant_id, invoice_id)
        REFERENCES invoices (tenant_id, id),
    CONSTRAINT disputes_resolved_check CHECK (
        (resolved_on IS NULL OR resolved_on >= opened_on)
        AND (resolution IS NULL OR resolved_on IS NOT NULL))
);

CREATE INDEX disputes_invoice_idx ON disputes (tenant_id, invoice_id)
    INCLUDE (opened_on, resolved_on);

-- Collector notes. A note may concern one invoice, which must then be one of
-- the note's client's invoices (MATCH SIMPLE: no invoice, no check).
-- Promise fields are all set exactly when outcome = 'promise_to_pay'.
CREATE TABLE contact_notes (
    tenant_id            uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                   uuid        NOT NULL DEFAULT gen_random_uuid(),
    client_id            uuid        NOT NULL,
    invoice_id           uuid,
    noted_at             timestamptz NOT NULL,
    channel              text        NOT NULL
                                     CHECK (channel IN ('call', 'email', 'sms', 'letter', 'visit', 'portal')),
    direction            text        NOT NULL DEFAULT 'outbound'
                                     CHECK (direction IN ('inbound', 'outbound')),
    author               text        CHECK (char_length(author) BETWEEN 1 AND 200),
    body                 text        CHECK (char_length(body) <= 10000),
    outcome              text        CHECK (outcome IN ('no_answer', 'left_message', 'promise_to_pay',
                                                        'dispute_raised', 'payment_arranged', 'refused',
                                                        'wrong_contact', 'other')),
    promise_amount_minor bigint      CHECK (promise_amount_minor > 0),
    promise_currency     char(3)     REFERENCES currencies (code),
    promise_date         date,
    satisfaction         smallint    CHECK (satisfaction BETWEEN 1 AND 5),
    follow_up_on         date,
    created_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT contact_notes_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES clients (tenant_id, id),
    CONSTRAINT contact_notes_invoice_fkey FOREIGN KEY (tenant_id, client_id, invoice_id)
        REFERENCES invoices (tenant_id, client_id, id) MATCH SIMPLE,
    CONSTRAINT contact_notes_promise_check CHECK (
        CASE WHEN outcome = 'promise_to_pay'
             THEN promise_amount_minor IS NOT NULL AND promise_currency IS NOT NULL
                  AND promise_date IS NOT NULL
             ELSE promise_amount_minor IS NULL AND promise_currency IS NULL
                  AND promise_date IS NULL
        END)
);

CREATE INDEX contact_notes_client_idx ON contact_notes (tenant_id, client_id, noted_at);
-- Promise-kept rate: promises by promise date.
CREATE INDEX contact_notes_promise_idx ON contact_notes (tenant_id, promise_date)
    INCLUDE (client_id, noted_at, promise_currency, promise_amount_minor)
    WHERE outcome = 'promise_to_pay';
-- Satisfaction: scores by note time.
CREATE INDEX contact_notes_satisfaction_idx ON contact_notes (tenant_id, noted_at)
    INCLUDE (satisfaction)
    WHERE satisfaction IS NOT NULL;

-- Writes that must happen once: claim with
--   INSERT ... ON CONFLICT (tenant_id, key) DO NOTHING
-- then store the response in the same transaction.
CREATE TABLE idempotency_keys (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key          text        NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
    request_hash bytea       NOT NULL CHECK (octet_length(request_hash) BETWEEN 16 AND 64),
    response     jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);

-- Append-only for the app role (no UPDATE/DELETE grants, see below).
CREATE TABLE audit_log (
    tenant_id uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id        uuid        NOT NULL DEFAULT gen_random_uuid(),
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text        NOT NULL CHECK (char_length(actor) BETWEEN 1 AND 200),
    action    text        NOT NULL CHECK (char_length(action) BETWEEN 1 AND 64),
    entity    text        NOT NULL CHECK (char_length(entity) BETWEEN 1 AND 64),
    entity_id text        CHECK (char_length(entity_id) BETWEEN 1 AND 200),
    before    jsonb,
    after     jsonb,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX audit_log_at_idx ON audit_log (tenant_id, at);

------------------------------------------------------------------------------
-- Row-level security and grants for every tenant-owned table.
-- Later migrations that add a tenant table repeat the same four statements.
------------------------------------------------------------------------------

DO $rls$
DECLARE
    tenant_tables constant text[] := array[
        'api_keys', 'clients', 'invoices', 'invoice_charges', 'payments',
        'payment_applications', 'write_offs', 'disputes', 'contact_notes',
        'idempotency_keys', 'audit_log'
    ];
    t       text;
    missing text;
BEGIN
    FOREACH t IN ARRAY tenant_tables LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I'
            ' USING (tenant_id = current_tenant_id())'
            ' WITH CHECK (tenant_id = current_tenant_id())', t);
        EXECUTE format(
            'CREATE POLICY tenant_active ON %I AS RESTRICTIVE TO collections_app'
            ' USING ((select current_tenant_is_active()))'
            ' WITH CHECK ((select current_tenant_is_active()))', t);
        EXECUTE format('REVOKE ALL ON %I FROM collections_app', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO collections_app', t);
    END LOOP;

    -- Every table with a tenant_id column must be in the list above.
    SELECT string_agg(c.relname, ', ') INTO missing
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      AND c.relname <> ALL (tenant_tables);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'tenant tables without row-level security: %', missing;
    END IF;
END
$rls$;

-- The audit log is append-only for the app.
REVOKE UPDATE, DELETE ON audit_log FROM collections_app;
