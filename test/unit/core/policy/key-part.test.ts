import { keyPart } from '../../../../functions/core/policy/scope-key';

describe('keyPart', () => {
  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    expect(keyPart('a-\ud800')).toBe('a-%EF%BF%BD');
    expect(keyPart('m-\udfff')).toBe('m-%EF%BF%BD');
  });

  it('keeps a paired surrogate (an emoji) as its UTF-8 bytes', () => {
    expect(keyPart('m-\u{1F600}')).toBe('m-%F0%9F%98%80');
  });

  it('percent-encodes the separator, percent, spaces and control characters', () => {
    expect(keyPart('a#b %\n')).toBe('a%23b%20%25%0A');
  });
});
