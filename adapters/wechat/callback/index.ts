/**
 * The inbound callback of WeChat Official Accounts (platforms.md §1.10): signatures, safe-mode
 * crypto, XML, the keyword / number auto-reply menu, a framework-neutral handler, and a node:http
 * helper. The driver that plays WeChat in tests is in `release-hall/testing`.
 */
export {
  ENCODING_AES_KEY_LENGTH,
  RANDOM_PREFIX_BYTES,
  WECHAT_PKCS7_BLOCK_SIZE,
  computeSignature,
  createWechatCrypto,
  decryptMessage,
  deriveAesKey,
  encryptMessage,
  pkcs7Pad,
  pkcs7Unpad,
  signatureMatches,
} from './crypto.js';
export type {
  DecryptMessageOptions,
  DecryptedMessage,
  EncryptMessageOptions,
  WechatAesKey,
  WechatCrypto,
  WechatCryptoOptions,
} from './crypto.js';
export {
  buildEncryptedEnvelope,
  buildTextReply,
  buildTextReplyTo,
  buildXml,
  parseEncryptedEnvelope,
  parseWechatMessage,
  parseXml,
  textOf,
} from './xml.js';
export type {
  EncryptedEnvelope,
  EncryptedReplyFields,
  PublishEventInfo,
  PublishedArticleItem,
  TextReplyFields,
  WechatClickEvent,
  WechatMassSendJobFinishEvent,
  WechatMessage,
  WechatMessageBase,
  WechatOtherMessage,
  WechatPublishJobFinishEvent,
  WechatTextMessage,
  XmlElement,
  XmlFields,
  XmlNode,
  XmlValue,
} from './xml.js';
export {
  autoReplyItemSchema,
  autoReplyMenuSchema,
  menuItemReply,
  normalizeMenuKey,
  parseAutoReplyMenu,
  replyFor,
} from './menu.js';
export type { AutoReplyMenu, AutoReplyMenuInput } from './menu.js';
export { createMemoryDedupeStore } from './dedupe.js';
export type {
  CallbackDedupeStore,
  DedupeRecord,
  MemoryDedupeStore,
  MemoryDedupeStoreOptions,
} from './dedupe.js';
export { createCallbackHandler, dedupeKeyOf } from './handler.js';
export type {
  CallbackErrorContext,
  CallbackErrorStage,
  CallbackHandler,
  CallbackHandlerOptions,
  CallbackMessageContext,
  CallbackQuery,
  CallbackRequest,
  CallbackResponse,
  ReplyDecision,
} from './handler.js';
export { createCallbackListener, createCallbackServer } from './node-http.js';
export type { CallbackListener, CallbackServerOptions } from './node-http.js';
