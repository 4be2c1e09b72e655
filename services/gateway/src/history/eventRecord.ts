/** Checks an alert event from the stream before it is stored, so one bad entry cannot wedge the recorder. */
import { ALERT_KINDS, type AlertEvent, type Region } from '@vigil/core';
import { isStreamId } from '../streamIds.js';

export const ALERT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** An alert event with its stream position, ready for the store. */
export interface EventRecord {
  eventId: string;
  streamMs: string;
  streamSeq: string;
  event: AlertEvent;
  /** When the event happened: the alert's end for `close`, else its last update. */
  at: string;
}

const isTime = (v: unknown): v is string => typeof v === 'string' && Number.isFinite(Date.parse(v));
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRegion = (r: unknown): r is Region => !!r && typeof r === 'object' && ['x', 'y', 'width', 'height', 'score'].every((k) => isNum((r as Record<string, unknown>)[k]));

/** The record of an event, or the reason it cannot be stored. */
export function toEventRecord(event: AlertEvent): EventRecord | { error: string } {
  const { alert } = event;
  if (!isStreamId(event.eventId)) return { error: 'event id is not a stream id' };
  if (typeof alert.id !== 'string' || !ALERT_ID.test(alert.id)) return { error: 'alert.id is missing or malformed' };
  if (alert.state !== 'open' && alert.state !== 'closed') return { error: 'alert.state must be "open" or "closed"' };
  if (!isTime(alert.startedAt) || !isTime(alert.updatedAt)) return { error: 'alert.startedAt / updatedAt must be ISO times' };
  if (alert.endedAt !== undefined && !isTime(alert.endedAt)) return { error: 'alert.endedAt must be an ISO time' };
  if (!isNum(alert.score)) return { error: 'alert.score must be a number' };
  if (!alert.frame || !Number.isInteger(alert.frame.width) || !Number.isInteger(alert.frame.height)) return { error: 'alert.frame must be {width, height}' };
  if (!Array.isArray(alert.regions) || !alert.regions.every(isRegion)) return { error: 'alert.regions must be regions' };
  if (!alert.members || typeof alert.members !== 'object' || !Object.values(alert.members).every(isNum)) return { error: 'alert.members must map detectors to scores' };
  if (typeof alert.modelVersion !== 'string' || typeof alert.snapshotUrl !== 'string') return { error: 'alert.modelVersion / snapshotUrl must be strings' };
  if (alert.kind !== undefined && !ALERT_KINDS.includes(alert.kind)) return { error: `alert.kind must be one of ${ALERT_KINDS.join(', ')}` };
  if (alert.reason !== undefined && typeof alert.reason !== 'string') return { error: 'alert.reason must be a string' };
  const [ms, seq = '0'] = event.eventId.split('-') as [string, string?];
  return { eventId: event.eventId, streamMs: ms, streamSeq: seq, event, at: event.event === 'close' && alert.endedAt ? alert.endedAt : alert.updatedAt };
}
