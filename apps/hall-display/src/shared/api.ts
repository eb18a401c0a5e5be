import type { LinkTopic } from '@servicehall/agent/contract';

/** One call shown on the hall screen: numbers only, never names (H-19). */
export interface CallShown {
  ticket: string;
  window: number;
  windowName: string;
  at: number;
  recall: boolean;
}

export interface Board {
  hallName: string;
  complaintPhone: string;
  calls: CallShown[];
  waiting: { code: string; name: string; waiting: number; minutes: number }[];
}

/** The hall screen's bridge: what its renderer may call and what its agent pushes. */
export interface HallDisplayShape {
  calls: {
    hello(): { terminal: string; language: 'zh-CN' | 'en' };
  };
  topics: LinkTopic & { board: Board };
}
