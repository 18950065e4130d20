// QR codes of otpauth:// URIs for authenticator apps, as PNG data URLs (`data:image/png;base64,...`).
import QRCode from 'qrcode';
import type { QrCodeRenderer } from '../../domain/two-factor.ports';

export class PngQrCodeRenderer implements QrCodeRenderer {
  toDataUrl(text: string): Promise<string> {
    // Level M survives some blur on a phone camera; a 4-module quiet zone is what scanners expect.
    return QRCode.toDataURL(text, { type: 'image/png', errorCorrectionLevel: 'M', margin: 4, width: 256 });
  }
}
