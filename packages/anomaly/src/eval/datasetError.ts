import { VigilError } from '@vigil/core';

/** A dataset folder is not in the expected layout; the message names the file or folder to fix. */
export class DatasetError extends VigilError {}
