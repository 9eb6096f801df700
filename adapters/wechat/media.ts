/**
 * Uploads of article pictures (platforms.md §1.3): the cover as permanent material
 * (`material/add_material?type=thumb`), pictures inside the HTML with `media/uploadimg`. What is
 * uploaded is cached per account and content hash by `media-cache.ts`.
 */
import { failMalformed } from '#adapter-kit';
import type { Account, DeliveryContext } from '#core';
import type { WechatClient } from './client.js';
import { WECHAT_PLATFORM } from './map-wechat-error.js';
import type { MediaUploader } from './media-cache.js';
import { readId } from './read-reply.js';

/** The uploader of one account's pictures, for the media library. */
export function mediaUploader(
  client: WechatClient,
  account: Account,
  context: DeliveryContext,
): MediaUploader {
  return async (upload) => {
    const endpoint = upload.kind === 'thumb' ? 'material/add_material' : 'media/uploadimg';
    const reply = await client.call(account, context, {
      endpoint,
      method: 'POST',
      ...(upload.kind === 'thumb' ? { query: { type: 'thumb' } } : {}),
      form: () => {
        const form = new FormData();
        form.append(
          'media',
          new Blob([upload.bytes], { type: upload.contentType }),
          upload.filename,
        );
        return form;
      },
      // A repeated upload only stores the picture twice; nothing shows on the account, so an
      // upload whose answer is lost is safe to send again. [derived]
      write: false,
    });
    const mediaId = readId(reply, 'media_id');
    const url = typeof reply.body.url === 'string' ? reply.body.url : undefined;
    if (upload.kind === 'thumb' && mediaId === undefined) {
      failMalformed(
        { platform: WECHAT_PLATFORM, endpoint, write: false, accountId: account.id },
        'no media_id',
      );
    }
    if (upload.kind === 'uploadimg' && url === undefined) {
      failMalformed(
        { platform: WECHAT_PLATFORM, endpoint, write: false, accountId: account.id },
        'no url',
      );
    }
    return {
      ...(mediaId === undefined ? {} : { mediaId }),
      ...(url === undefined ? {} : { url }),
    };
  };
}
