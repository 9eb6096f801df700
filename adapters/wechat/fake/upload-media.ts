/**
 * The upload endpoints of the WeChat fake: `material/add_material` (permanent media),
 * `media/upload` (temporary media) and `media/uploadimg` (an image for article bodies).
 */
import { sniff } from './request-body.js';
import { sha256, wechatOk, type WechatCall, type WechatOutcome } from './state.js';

type UploadEndpoint = 'material/add_material' | 'media/upload' | 'media/uploadimg';

/** Stores an upload after checking its type and size. */
export function uploadMedia(call: WechatCall, endpoint: UploadEndpoint): WechatOutcome {
  const { content, account, query, parts } = call;
  const media = parts?.find((part) => part.name === 'media');
  if (media === undefined) return content.refuse(41005, 'media data missing');
  const kind = sniff(media.value);
  const type = endpoint === 'media/uploadimg' ? 'uploadimg' : (query.get('type') ?? '');
  const problem = uploadProblem(endpoint, type, kind, media.value.length);
  if (problem !== undefined) return content.refuse(problem.code, problem.text);
  const permanent = endpoint === 'material/add_material';
  const mediaId = endpoint === 'media/uploadimg' ? undefined : content.id(permanent ? 'P' : 'T');
  const url =
    endpoint === 'media/uploadimg' || type === 'image'
      ? `http://mmbiz.qpic.cn/mmbiz_${kind === 'png' ? 'png' : 'jpg'}/${content.id('')}/0`
      : undefined;
  content.media.push({
    appid: account.appid,
    type: endpoint === 'media/upload' ? 'temporary' : type,
    mediaId,
    url,
    bytes: media.value.length,
    sha256: sha256(media.value),
    filename: media.filename,
    contentType: media.contentType,
    permanent,
  });
  if (endpoint === 'media/uploadimg') return wechatOk({ url, errcode: 0, errmsg: 'ok' });
  if (endpoint === 'media/upload') {
    return wechatOk({ type, media_id: mediaId, created_at: Math.floor(content.now() / 1000) });
  }
  return wechatOk(url === undefined ? { media_id: mediaId } : { media_id: mediaId, url });
}

/** Why an upload of this type, file kind and size is refused, if it is. */
function uploadProblem(
  endpoint: UploadEndpoint,
  type: string,
  kind: ReturnType<typeof sniff>,
  bytes: number,
): { code: number; text: string } | undefined {
  if (endpoint === 'media/uploadimg') {
    // [unconfirmed] 40005/40006 for a wrong type or size (not in platforms.md).
    if (kind !== 'jpeg' && kind !== 'png')
      return { code: 40005, text: 'invalid file type: jpg/png only' };
    if (bytes >= 1024 * 1024) return { code: 40006, text: 'invalid media size: < 1MB' };
    return undefined;
  }
  if (!['image', 'thumb', 'voice', 'video'].includes(type)) {
    // [unconfirmed] 40004 for an unknown media type.
    return { code: 40004, text: 'invalid media type' };
  }
  if (type === 'thumb') {
    if (kind !== 'jpeg') return { code: 40005, text: 'invalid file type: thumb must be jpg' };
    if (bytes > 64 * 1024) return { code: 40006, text: 'invalid media size: thumb ≤ 64KB' };
  }
  if (type === 'image') {
    if (kind === 'unknown') return { code: 40005, text: 'invalid file type' };
    if (bytes > 10 * 1024 * 1024) return { code: 40006, text: 'invalid media size' };
  }
  return undefined;
}
