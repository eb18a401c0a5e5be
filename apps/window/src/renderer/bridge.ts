import { connectBridge } from '@servicehall/agent/renderer';
import type { WindowShape } from '../shared/api';

/** The renderer's one way to its agent. */
export const bridge = connectBridge<WindowShape>();
