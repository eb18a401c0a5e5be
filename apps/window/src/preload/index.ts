import { exposeBridge } from '@servicehall/agent/preload';

exposeBridge();
