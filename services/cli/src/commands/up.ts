/** `vigil up --config F`: ingest, worker and gateway as child processes, restarted if one dies. */
import { loadCheckedConfig } from '../checkedConfig.js';
import { ServiceTree } from '../serviceTree.js';

export async function runUp(configFile: string): Promise<void> {
  loadCheckedConfig(configFile); // fail here, once, with the config error, not three times in the children
  const tree = new ServiceTree(configFile);
  tree.start(['gateway', 'worker', 'ingest']);
  await tree.untilSignal();
}
