import { toDataURL } from 'qrcode';

/**
 * Renders text (the otpauth URI) as a PNG data URL for an `<img>` on the setup page.
 *
 * Level M recovers from 15% damage while keeping the symbol small enough for large modules at
 * 240 px, which phone cameras read more reliably off a screen than a denser level-H code. The QR
 * standard asks for a 4-module quiet zone; 2 suffices on a plain background and leaves more of
 * the 240 px to the code.
 */
export function qrCodeDataUrl(text: string): Promise<string> {
  return toDataURL(text, { type: 'image/png', errorCorrectionLevel: 'M', margin: 2, width: 240 });
}
