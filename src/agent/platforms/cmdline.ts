// Platform "cmdline": user data inline on the kernel command line (base64 JSON) or at a URL named there.

import { AgentError } from '../../errors';
import { decodeBase64 } from '../../readers/base64';
import { kernelParam } from '../../readers/kernel-cmdline';
import { bodyOr404, metadataRequest } from './http-retry';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

const NAME = 'cmdline';

export const cmdlineDatasource: Datasource<'cmdline'> = {
  name: NAME,
  kind: 'local',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const inline = kernelParam(ctx.params, 'cloudlet.user-data');
    if (inline !== undefined) return { platform: NAME, userData: inlineUserData(inline), meta: {} };
    const url = kernelParam(ctx.params, 'cloudlet.user-data-url');
    if (url === undefined) return null;
    checkUrl(url);
    const res = await metadataRequest(ctx, NAME, { url }, true);
    const body = res === null ? null : bodyOr404(NAME, url, res);
    if (body === null) {
      throw new AgentError('E_PLATFORM', `cmdline: nothing at cloudlet.user-data-url (${res === null ? 'connection refused' : 'HTTP 404'})`, {
        where: url,
        fix: 'check the URL on the kernel command line and that its server is reachable this early in boot',
      });
    }
    return { platform: NAME, userData: res!.body, meta: { 'user-data-url': url } };
  },
};

/** Refused at once, as the input it is: a request to a URL that does not parse would only fail, retried to the deadline. */
function checkUrl(url: string): void {
  const where = 'kernel command line cloudlet.user-data-url=';
  if (!URL.canParse(url)) {
    throw new AgentError('E_USERDATA_INVALID', `cloudlet.user-data-url= is not a valid URL: "${url}"`, {
      where,
      fix: 'pass an absolute http:// URL with a host, e.g. cloudlet.user-data-url=http://10.0.2.2:8000/ud.json',
    });
  }
  if (new URL(url).protocol !== 'http:') {
    throw new AgentError('E_USERDATA_INVALID', 'cloudlet.user-data-url= must be an http:// URL', {
      where,
      fix: 'serve the user data over plain http (TLS needs a clock and CA store this early in boot)',
    });
  }
}

function inlineUserData(text: string): Buffer {
  const bytes = decodeBase64(text);
  if (bytes === null) {
    throw new AgentError('E_USERDATA_INVALID', 'cloudlet.user-data= on the kernel command line is not base64', {
      where: 'kernel command line cloudlet.user-data=',
      fix: 'pass cloudlet.user-data=$(base64 -w0 ud.json)',
    });
  }
  return bytes;
}
