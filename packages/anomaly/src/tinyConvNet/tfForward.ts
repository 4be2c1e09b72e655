/** The same network as layers.ts on the active tfjs backend (wasm, GPU…), for scoring; call inside tf.tidy. */
import { tf } from '../backend/tfBackend.js';
import { LEAKY_ALPHA, type LayerSpec } from './layers.js';

export function tfForward(layers: readonly LayerSpec[], params: readonly Float32Array[], input: tf.Tensor4D): tf.Tensor4D {
  let x = input;
  let p = 0;
  for (const l of layers) {
    if (l.type === 'upsample2') {
      x = tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]);
      continue;
    }
    const w = tf.tensor4d(params[p++]!, [l.kernel, l.kernel, l.inC, l.outC]);
    let y: tf.Tensor4D = tf.conv2d(x, w, l.stride, 'same');
    if (l.bias) y = tf.add(y, tf.tensor1d(params[p++]!));
    if (l.activation === 'relu') y = tf.relu(y);
    else if (l.activation === 'leaky') y = tf.leakyRelu(y, LEAKY_ALPHA);
    x = y;
  }
  return x;
}
