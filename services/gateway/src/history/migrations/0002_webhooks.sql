-- Webhook delivery log and endpoint state (services/gateway/src/webhooks).
-- Unqualified names: the tables go in the schema of the connection's search_path.

-- One row per delivery attempt (and per refusal or skip: those never made a request).
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id              bigserial PRIMARY KEY,
  endpoint_id     text        NOT NULL,
  event_id        text        NOT NULL,
  webhook_id      text        NOT NULL,
  attempt         integer     NOT NULL CHECK (attempt >= 1),
  attempted_at    timestamptz NOT NULL,
  status_code     integer,
  error           text,
  duration_ms     integer     NOT NULL CHECK (duration_ms >= 0),
  next_attempt_at timestamptz,
  -- retrying: another attempt is scheduled at next_attempt_at; the others are final.
  state           text        NOT NULL CHECK (state IN ('delivered', 'retrying', 'failed', 'gone', 'refused', 'skipped'))
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_event_idx ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_time_idx ON webhook_deliveries (attempted_at);

-- Endpoints the dispatcher stopped delivering to (a 410 reply). Redis holds the same for the hot path.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  endpoint_id     text        PRIMARY KEY,
  state           text        NOT NULL CHECK (state IN ('active', 'disabled')),
  -- Hash of the URL the state applies to: a changed URL in the config re-enables the endpoint.
  url_fingerprint text        NOT NULL,
  reason          text,
  changed_at      timestamptz NOT NULL DEFAULT now()
);
