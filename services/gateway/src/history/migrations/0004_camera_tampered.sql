-- Camera health alerts: a whole view changed for long (covered, turned, defocused) is a third kind.
ALTER TABLE alerts DROP CONSTRAINT IF EXISTS alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN ('anomaly', 'camera-offline', 'camera-tampered'));
