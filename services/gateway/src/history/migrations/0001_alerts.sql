-- Alert history: one row per alert (its latest state, acknowledgement and operator feedback)
-- and one row per alert event read from the Redis Stream (keyed by the stream entry id).
CREATE TABLE alerts (
  id               text PRIMARY KEY,
  camera_id        text NOT NULL,
  state            text NOT NULL CHECK (state IN ('open', 'closed')),
  started_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  ended_at         timestamptz,
  -- score of the latest event; peak_score the highest seen over the alert's life
  score            double precision NOT NULL,
  peak_score       double precision NOT NULL,
  frame_width      integer NOT NULL,
  frame_height     integer NOT NULL,
  regions          jsonb NOT NULL,
  members          jsonb NOT NULL,
  model_version    text NOT NULL,
  snapshot_url     text NOT NULL,
  heatmap_url      text NOT NULL,
  -- stream id (ms, seq) of the latest event applied, so a late redelivery cannot roll the row back
  last_event_ms    bigint NOT NULL,
  last_event_seq   bigint NOT NULL,
  acked_at         timestamptz,
  acked_by_role    text,
  acked_token_hash text,
  ack_note         text,
  feedback         text CHECK (feedback IN ('false-alarm', 'confirmed')),
  feedback_at      timestamptz,
  feedback_role    text,
  feedback_note    text
);

CREATE INDEX alerts_camera_started ON alerts (camera_id, started_at DESC, id DESC);
CREATE INDEX alerts_started ON alerts (started_at DESC, id DESC);
CREATE INDEX alerts_camera_updated ON alerts (camera_id, updated_at);

CREATE TABLE alert_events (
  event_id    text PRIMARY KEY,
  stream_ms   bigint NOT NULL,
  stream_seq  bigint NOT NULL,
  alert_id    text NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('open', 'update', 'close')),
  at          timestamptz NOT NULL,
  score       double precision NOT NULL,
  regions     jsonb NOT NULL,
  members     jsonb NOT NULL,
  -- the event as pushed to clients, less eventId: replayed on /v1/live when the stream was trimmed
  payload     jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX alert_events_stream_order ON alert_events (stream_ms, stream_seq);
CREATE INDEX alert_events_alert ON alert_events (alert_id, stream_ms, stream_seq);
