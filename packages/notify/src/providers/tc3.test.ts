import { describe, expect, it } from 'vitest';
import { parseTc3Authorization, tc3Sign } from './tc3';

// The worked examples of Tencent Cloud's "Signature v3" page (CVM DescribeInstances). The page's
// POST example was computed with the SecretKey as printed there, stars and all.
describe('TC3-HMAC-SHA256 signing', () => {
  it("reproduces the documentation's POST example, step by step", () => {
    const signed = tc3Sign(
      {
        method: 'POST',
        host: 'cvm.tencentcloudapi.com',
        query: '',
        contentType: 'application/json; charset=utf-8',
        payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
        service: 'cvm',
        timestamp: 1551113065,
      },
      'AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******',
      'Gu5t9xGARNpq86cd98joQYCN3*******',
    );
    expect(signed.canonicalRequest).toBe(
      'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
    );
    expect(signed.stringToSign).toBe('TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031');
    expect(signed.signature).toBe('2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c');
    expect(signed.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c',
    );
  });

  it("reproduces the documentation's earlier GET example", () => {
    const signed = tc3Sign(
      { method: 'GET', host: 'cvm.tencentcloudapi.com', query: 'Limit=10&Offset=0', contentType: 'application/x-www-form-urlencoded', payload: '', service: 'cvm', timestamp: 1539084154 },
      'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    );
    expect(signed.stringToSign.split('\n').at(-1)).toBe('91c9c192c14460df6c1ffc69e34e6c5e90708de2a6d282cccf957dbf1aa7f3a7');
    expect(signed.signature).toBe('5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474');
  });

  it('takes the credential date from the timestamp in UTC, not the local day', () => {
    // 2024-01-01 07:30 in Beijing is still 2023-12-31 in UTC.
    const signed = tc3Sign({ method: 'POST', host: 'sms.tencentcloudapi.com', query: '', contentType: 'application/json', payload: '{}', service: 'sms', timestamp: 1704065400 }, 'AKIDx', 'k');
    expect(signed.date).toBe('2023-12-31');
    expect(parseTc3Authorization(signed.authorization)).toEqual({ secretId: 'AKIDx', date: '2023-12-31', service: 'sms', signedHeaders: 'content-type;host', signature: signed.signature });
  });

  it('changes the signature when any signed part changes', () => {
    const base = { method: 'POST' as const, host: 'sms.tencentcloudapi.com', query: '', contentType: 'application/json; charset=utf-8', payload: '{"a":1}', service: 'sms', timestamp: 1700000000 };
    const sig = (r: typeof base, key = 'secret') => tc3Sign(r, 'AKIDx', key).signature;
    const first = sig(base);
    expect(sig({ ...base, payload: '{"a":2}' })).not.toBe(first);
    expect(sig({ ...base, host: 'sms.ap-beijing.tencentcloudapi.com' })).not.toBe(first);
    expect(sig({ ...base, timestamp: base.timestamp + 1 })).not.toBe(first);
    expect(sig(base, 'other')).not.toBe(first);
  });
});
