/** Typed errors carry what the user must fix; the CLI turns them into one line on stderr. */
export class VigilError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The config file is missing, unreadable or invalid; the message names the key. */
export class ConfigError extends VigilError {}

/** A video source could not be opened or decoded. */
export class StreamError extends VigilError {}

/** A model directory is missing, corrupt or of another camera. */
export class ModelError extends VigilError {}

/** Bad input from the command line (unknown file, bad number…). */
export class UsageError extends VigilError {}
