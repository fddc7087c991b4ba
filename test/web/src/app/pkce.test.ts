import { base64url, randomToken, s256Challenge } from '../../../../web/src/app/pkce.ts';

describe('PKCE S256 (RFC 7636)', () => {
  it('derives the challenge of the appendix B example', async () => {
    // RFC 7636 appendix B: the verifier from 32 octets, and its S256 challenge.
    const octets = new Uint8Array([116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121]);
    const verifier = base64url(octets);
    expect(verifier).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(await s256Challenge(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('encodes base64url without padding, with - and _ for + and /', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(base64url(new Uint8Array([]))).toBe('');
    expect(base64url(new Uint8Array([102, 111, 111, 98]))).toBe('Zm9vYg');
  });

  it('makes 43-character random verifiers and states that differ each time', () => {
    const a = randomToken();
    const b = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('refuses a verifier that RFC 7636 does not allow (too short, or a character outside the unreserved set)', async () => {
    await expect(s256Challenge('short')).rejects.toThrow(/43-128/);
    await expect(s256Challenge(`${'a'.repeat(42)}+`)).rejects.toThrow(/43-128/);
    await expect(s256Challenge('a'.repeat(129))).rejects.toThrow(/43-128/);
  });
});
