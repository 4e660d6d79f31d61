import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  DecodeFailure,
  decodeLogsPayload,
  isBase64Of,
  MAX_DECOMPRESSED_BYTES,
} from '../../../functions/logs/decode-payload';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

describe('decodeLogsPayload', () => {
  it('refuses a payload that inflates beyond the limit (a gzip bomb) at the gzip stage', async () => {
    // ~65 KB of gzip that would inflate to 1 MiB more than the limit.
    const bomb = gzipSync(Buffer.alloc(MAX_DECOMPRESSED_BYTES + 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const failure = await decodeLogsPayload({ awslogs: { data: bomb.toString('base64') } }).catch((e) => e);
    expect(failure).toBeInstanceOf(DecodeFailure);
    expect(failure).toMatchObject({ stage: 'gzip' });
    // Just under it, the same bytes get past gzip (the schema refuses a JSON string of spaces).
    const under = gzipSync(Buffer.alloc(MAX_DECOMPRESSED_BYTES - 1024, 0x20), { level: 9 });
    await expect(decodeLogsPayload({ awslogs: { data: under.toString('base64') } })).rejects.toMatchObject({
      stage: 'json',
    });
  });

  describe('the base64 check (encode back instead of a regex over the whole payload)', () => {
    const base64ish = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc
        .uint8Array({ maxLength: 40 })
        .map((bytes) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')),
      fc.stringMatching(/^[A-Za-z0-9+/=_\- \n!]{0,24}$/),
      fc.string({ maxLength: 12, unit: 'binary' }),
    );

    it('accepts exactly the strings the regex accepts', () => {
      fc.assert(
        fc.property(base64ish, (data) => {
          expect(isBase64Of(Buffer.from(data, 'base64'), data)).toBe(BASE64.test(data));
        }),
        { numRuns: 5000 },
      );
    });

    it('still accepts base64 that does not encode back to itself (unpadded, stray bits)', async () => {
      const canonical = gzipSync('{"messageType":"CONTROL_MESSAGE"}').toString('base64');
      expect(isBase64Of(Buffer.from('QR==', 'base64'), 'QR==')).toBe(true);
      expect(isBase64Of(Buffer.from('QQ', 'base64'), 'QQ')).toBe(true);
      // Past the base64 stage: the schema, not the encoding, rejects this one.
      await expect(
        decodeLogsPayload({ awslogs: { data: canonical.replace(/=+$/, '') } }),
      ).rejects.toMatchObject({
        stage: 'schema',
      });
    });

    it('rejects base64url and text at the base64 stage', async () => {
      for (const data of ['ab-_', 'not base64!', 'QQ==\n']) {
        await expect(decodeLogsPayload({ awslogs: { data } })).rejects.toBeInstanceOf(DecodeFailure);
        await expect(decodeLogsPayload({ awslogs: { data } })).rejects.toMatchObject({ stage: 'base64' });
      }
    });
  });
});
