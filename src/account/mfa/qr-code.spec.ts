import { qrCodeDataUrl } from './qr-code';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('qrCodeDataUrl', () => {
  it('renders the text as a PNG data URL', async () => {
    const url = await qrCodeDataUrl('otpauth://totp/Gatehouse:alice%40example.com?secret=JBSWY3DP');

    const prefix = 'data:image/png;base64,';
    expect(url.startsWith(prefix)).toBe(true);
    const png = Buffer.from(url.slice(prefix.length), 'base64');
    expect(png.subarray(0, PNG_SIGNATURE.length)).toEqual(PNG_SIGNATURE);
  });
});
