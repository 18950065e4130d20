// Device description for the sessions page, from ua-parser-js (v1, MIT-licensed).
import { UAParser } from 'ua-parser-js';
import type { UserAgentParser } from '../../domain/ports';
import type { DeviceInfo } from '../../domain/types';

export class UaParserUserAgentParser implements UserAgentParser {
  parse(userAgent: string | null): DeviceInfo {
    if (!userAgent) return { browser: null, os: null, deviceType: null };
    const r = new UAParser(userAgent).getResult();
    const join = (name?: string, version?: string) => (name ? (version ? `${name} ${version}` : name) : null);
    return {
      browser: join(r.browser.name, r.browser.major),
      os: join(r.os.name, r.os.version),
      // ua-parser-js leaves device.type empty for desktops.
      deviceType: r.device.type ?? (r.browser.name || r.os.name ? 'desktop' : 'unknown'),
    };
  }
}
