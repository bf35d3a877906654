-- 0024_dashboard_sessions.sql: the dashboard's sign-in sessions (issue 17).
--
-- A collector or manager signs in to the dashboard with an API key (the
-- tenant's or an agency's); the server keeps the session here, so it can be
-- signed out and expires. Only the SHA-256 of the session's token is stored,
-- never the token, which lives only in the browser's HttpOnly cookie. The
-- token reads `ds_<tenant id, 32 hex>_<secret, 64 hex>`: as with API keys, the
-- tenant in it lets the server set the tenant before it looks the session up,
-- so the lookup itself runs under row-level security as collections_app.
--
-- The session names the key it came from (a foreign key that includes
-- tenant_id): a lookup joins the key and refuses a revoked one, so revoking
-- the key ends its sessions at once. The key's agency_id decides, on every
-- request, whether the session's work runs as the agency (its placed accounts
-- only, sql/0018-0020), the way the key's own requests do.
--
-- csrf_secret: the session's CSRF token for its forms (random, 32 bytes); a
-- form post whose token differs is refused.

CREATE TABLE dashboard_sessions (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    token_hash  bytea       NOT NULL CHECK (octet_length(token_hash) = 32),
    api_key_id  uuid        NOT NULL,
    csrf_secret bytea       NOT NULL CHECK (octet_length(csrf_secret) = 32),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT dashboard_sessions_token_key UNIQUE (tenant_id, token_hash),
    CONSTRAINT dashboard_sessions_api_key_fkey FOREIGN KEY (tenant_id, api_key_id)
        REFERENCES api_keys (tenant_id, id) ON DELETE CASCADE,
    CHECK (expires_at > created_at)
);

-- A key's sessions (a key's deletion with its tenant).
CREATE INDEX dashboard_sessions_api_key_idx ON dashboard_sessions (tenant_id, api_key_id);

SELECT apply_tenancy_recipe('dashboard_sessions'::regclass);
