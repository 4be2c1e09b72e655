-- Camera health alerts beside anomaly alerts: what each alert is about, and why a camera went dark.
ALTER TABLE alerts ADD COLUMN kind text NOT NULL DEFAULT 'anomaly' CHECK (kind IN ('anomaly', 'camera-offline'));
ALTER TABLE alerts ADD COLUMN reason text;
CREATE INDEX alerts_kind_started ON alerts (kind, started_at DESC, id DESC);
