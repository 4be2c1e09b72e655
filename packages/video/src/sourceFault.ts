/**
 * Why a camera delivers no frames, in a word an operator (and a receiving system) can act on, from the
 * reason ffmpeg or the source watchdog gave: `refused` (nothing listens: camera off, wrong port),
 * `not-found` (no such file or stream path), `unauthorized` (credentials), `not-video` (something
 * answers, but not with video: a corrupt or random file, another protocol on that port), `timeout`,
 * `stalled` (connected, but frames stopped), `ended` (the stream ended), else `error`.
 */
export type SourceFault = 'refused' | 'not-found' | 'unauthorized' | 'not-video' | 'timeout' | 'stalled' | 'ended' | 'error';

const RULES: [RegExp, SourceFault][] = [
  [/connection refused|ECONNREFUSED|no route to host|network is unreachable|name or service not known|could not resolve/i, 'refused'],
  [/no such file|404 not found|server returned 404|does not exist|not found/i, 'not-found'],
  [/401 unauthorized|403 forbidden|server returned 40[13]|authori[sz]ation failed/i, 'unauthorized'],
  [/invalid data found|moov atom not found|could not find codec|no video stream|not a video|unknown format|end of file.*header/i, 'not-video'],
  [/timed out|timeout/i, 'timeout'],
  [/^stalled/i, 'stalled'],
  [/stream ended|end of file/i, 'ended'],
];

export function sourceFault(reason: string): SourceFault {
  for (const [pattern, fault] of RULES) if (pattern.test(reason)) return fault;
  return 'error';
}
