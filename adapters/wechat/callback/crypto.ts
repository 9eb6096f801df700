/**
 * Signatures and safe-mode message encryption of the WeChat Official Account callback
 * (platforms.md §1.10). Written on node:crypto only.
 *
 * - `signature = hex(sha1(sorted([token, timestamp, nonce]).join('')))`; in safe mode the
 *   `msg_signature` adds the `Encrypt` value to the sorted list.
 * - `AESKey = base64decode(EncodingAESKey + '=')` (32 bytes); AES-256-CBC with IV = AESKey[0..16).
 * - Plain layout: `random(16) ‖ msg_len (uint32, big-endian) ‖ msg (UTF-8) ‖ appid`,
 *   PKCS#7 padded to a multiple of **32** bytes (not the AES block size of 16).
 * - On decrypt the trailing id must be the account's appid (for WeCom, the corp id).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { ReleaseHallError } from '#core';

/** Platform name used in errors. */
export const WECHAT_PLATFORM = 'wechat';

/** Length of an `EncodingAESKey` as shown in the MP console. */
export const ENCODING_AES_KEY_LENGTH = 43;

/** Bytes of random prefix in the plain layout. */
export const RANDOM_PREFIX_BYTES = 16;

/** PKCS#7 block size used by WeChat (32, twice the AES block). */
export const WECHAT_PKCS7_BLOCK_SIZE = 32;

const ENCODING_AES_KEY_PATTERN = /^[A-Za-z0-9+/]{43}$/;
const HEX_SHA1_PATTERN = /^[0-9a-f]{40}$/;

function cryptoError(what: string, explanation: string): ReleaseHallError {
  return new ReleaseHallError(`[release-hall] [wechat] callback ${what} failed: ${explanation}`, {
    code: 'INVALID_INPUT',
    platform: WECHAT_PLATFORM,
  });
}

/**
 * The WeChat signature: the SHA-1 (lower-case hex) of the parts sorted and joined.
 * Pass `[token, timestamp, nonce]` for `signature`, and add `Encrypt` for `msg_signature`.
 * The parts are ASCII in practice, where code-unit order equals the byte order WeChat uses.
 */
export function computeSignature(parts: readonly string[]): string {
  const joined = [...parts].sort().join('');
  return createHash('sha1').update(joined, 'utf8').digest('hex');
}

/**
 * Compares a received signature with the expected one in constant time. Returns `false`
 * for a missing or malformed value, never throws.
 */
export function signatureMatches(received: string | undefined, parts: readonly string[]): boolean {
  if (received === undefined) return false;
  const candidate = received.trim().toLowerCase();
  if (!HEX_SHA1_PATTERN.test(candidate)) return false;
  const expected = Buffer.from(computeSignature(parts), 'ascii');
  const actual = Buffer.from(candidate, 'ascii');
  // Both are 40 hex characters here; timingSafeEqual requires equal lengths.
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The AES key and IV derived from an `EncodingAESKey`. */
export interface WechatAesKey {
  /** 32 bytes. */
  readonly key: Buffer;
  /** The first 16 bytes of {@link WechatAesKey.key}. */
  readonly iv: Buffer;
}

/**
 * Derives the AES-256 key (and IV) from the 43-character `EncodingAESKey`.
 * @throws ReleaseHallError `INVALID_INPUT` when the value is not 43 Base64 characters.
 */
export function deriveAesKey(encodingAESKey: string): WechatAesKey {
  if (encodingAESKey.length !== ENCODING_AES_KEY_LENGTH) {
    throw cryptoError(
      'key setup',
      `the EncodingAESKey must be ${ENCODING_AES_KEY_LENGTH} characters, got ${encodingAESKey.length}; copy it again from the MP console (开发 → 基本配置)`,
    );
  }
  if (!ENCODING_AES_KEY_PATTERN.test(encodingAESKey)) {
    throw cryptoError(
      'key setup',
      'the EncodingAESKey must be Base64 characters without padding (the MP console generates letters and digits)',
    );
  }
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) {
    throw cryptoError(
      'key setup',
      `the EncodingAESKey decodes to ${key.length} bytes instead of 32`,
    );
  }
  return { key, iv: key.subarray(0, 16) };
}

/** Adds PKCS#7 padding for WeChat's block size of 32 (always 1 to 32 bytes). */
export function pkcs7Pad(data: Uint8Array, blockSize = WECHAT_PKCS7_BLOCK_SIZE): Buffer {
  const padLength = blockSize - (data.length % blockSize);
  return Buffer.concat([data, Buffer.alloc(padLength, padLength)]);
}

/**
 * Removes PKCS#7 padding for WeChat's block size of 32.
 * @throws ReleaseHallError `INVALID_INPUT` when the padding is not valid.
 */
export function pkcs7Unpad(data: Uint8Array, blockSize = WECHAT_PKCS7_BLOCK_SIZE): Buffer {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const padLength = buffer.at(-1);
  if (
    padLength === undefined ||
    padLength < 1 ||
    padLength > blockSize ||
    padLength > buffer.length
  ) {
    throw cryptoError(
      'decrypt',
      'the decrypted data does not end in PKCS#7 padding (block size 32); the EncodingAESKey is probably not the one configured for this account',
    );
  }
  for (let index = buffer.length - padLength; index < buffer.length; index += 1) {
    if (buffer[index] !== padLength) {
      throw cryptoError(
        'decrypt',
        'the decrypted data has inconsistent PKCS#7 padding; the EncodingAESKey is probably not the one configured for this account',
      );
    }
  }
  return buffer.subarray(0, buffer.length - padLength);
}

function toRandomPrefix(random: Uint8Array | string | undefined): Buffer {
  if (random === undefined) return randomBytes(RANDOM_PREFIX_BYTES);
  const bytes = typeof random === 'string' ? Buffer.from(random, 'utf8') : Buffer.from(random);
  if (bytes.length !== RANDOM_PREFIX_BYTES) {
    throw cryptoError(
      'encrypt',
      `the random prefix must be ${RANDOM_PREFIX_BYTES} bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}

/** Options of {@link encryptMessage}. */
export interface EncryptMessageOptions {
  /** The 43-character `EncodingAESKey`, or a key already derived with {@link deriveAesKey}. */
  readonly encodingAESKey: string | WechatAesKey;
  /** The appid of the account (WeCom: the corp id) written after the message. */
  readonly appId: string;
  /**
   * The 16-byte random prefix (bytes, or a 16-byte UTF-8 string such as `aaaabbbbccccdddd`).
   * Only tests should set it.
   * @default 16 bytes from crypto.randomBytes
   */
  readonly random?: Uint8Array | string | undefined;
}

/** Encrypts a message (usually reply XML) into the Base64 `Encrypt` value. */
export function encryptMessage(message: string, options: EncryptMessageOptions): string {
  const { key, iv } =
    typeof options.encodingAESKey === 'string'
      ? deriveAesKey(options.encodingAESKey)
      : options.encodingAESKey;
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = pkcs7Pad(
    Buffer.concat([
      toRandomPrefix(options.random),
      length,
      body,
      Buffer.from(options.appId, 'utf8'),
    ]),
  );
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** Options of {@link decryptMessage}. */
export interface DecryptMessageOptions {
  /** The 43-character `EncodingAESKey`, or a key already derived with {@link deriveAesKey}. */
  readonly encodingAESKey: string | WechatAesKey;
  /**
   * The appid the trailing id must equal (WeCom: the corp id). Pass `false` to skip the check
   * and read the id from the result instead (only for tools that inspect foreign messages).
   */
  readonly appId: string | false;
}

/** A decrypted message and the id found after it. */
export interface DecryptedMessage {
  /** The message (UTF-8 XML for callbacks). */
  readonly message: string;
  /** The trailing id: the appid (WeCom: the corp id). */
  readonly appId: string;
  /** The 16-byte random prefix. */
  readonly random: Buffer;
}

/**
 * Decrypts a Base64 `Encrypt` value and checks the trailing appid.
 * @throws ReleaseHallError `INVALID_INPUT` for a value that is not Base64 of whole AES blocks,
 * bad padding, an impossible length, or an appid other than the expected one.
 */
export function decryptMessage(encrypt: string, options: DecryptMessageOptions): DecryptedMessage {
  const { key, iv } =
    typeof options.encodingAESKey === 'string'
      ? deriveAesKey(options.encodingAESKey)
      : options.encodingAESKey;
  const trimmed = encrypt.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
    throw cryptoError('decrypt', 'the Encrypt value is not Base64');
  }
  const cipherText = Buffer.from(trimmed, 'base64');
  if (cipherText.length === 0 || cipherText.length % 16 !== 0) {
    throw cryptoError(
      'decrypt',
      `the Encrypt value decodes to ${cipherText.length} bytes, not a whole number of AES blocks`,
    );
  }
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  decipher.setAutoPadding(false);
  const plain = pkcs7Unpad(Buffer.concat([decipher.update(cipherText), decipher.final()]));
  const headerLength = RANDOM_PREFIX_BYTES + 4;
  if (plain.length < headerLength) {
    throw cryptoError('decrypt', 'the decrypted data is shorter than its 20-byte header');
  }
  const messageLength = plain.readUInt32BE(RANDOM_PREFIX_BYTES);
  if (headerLength + messageLength > plain.length) {
    throw cryptoError(
      'decrypt',
      `the decrypted data announces a ${messageLength}-byte message but holds only ${plain.length - headerLength} bytes`,
    );
  }
  const message = plain.subarray(headerLength, headerLength + messageLength).toString('utf8');
  const appId = plain.subarray(headerLength + messageLength).toString('utf8');
  if (options.appId !== false && appId !== options.appId) {
    throw cryptoError(
      'decrypt',
      `the message was encrypted for appid "${appId}", not for this account's appid "${options.appId}"; check the appid configured for this callback`,
    );
  }
  return { message, appId, random: Buffer.from(plain.subarray(0, RANDOM_PREFIX_BYTES)) };
}

/** Options of {@link createWechatCrypto}. */
export interface WechatCryptoOptions {
  /** The callback token configured in the MP console. */
  readonly token: string;
  /** The 43-character `EncodingAESKey` (safe mode). */
  readonly encodingAESKey: string;
  /** The account's appid (WeCom: the corp id). */
  readonly appId: string;
}

/** The safe-mode operations of one account, with its key derived once. */
export interface WechatCrypto {
  /** `msg_signature` of an `Encrypt` value. */
  msgSignature(timestamp: string, nonce: string, encrypt: string): string;
  /** True when `received` is the `msg_signature` of `encrypt` (constant-time). */
  verifyMsgSignature(
    received: string | undefined,
    timestamp: string,
    nonce: string,
    encrypt: string,
  ): boolean;
  /** Encrypts `message` for this account. */
  encrypt(message: string, random?: Uint8Array | string): string;
  /** Decrypts an `Encrypt` value of this account (checks the appid). */
  decrypt(encrypt: string): string;
}

/**
 * Binds token, key and appid of one account.
 * @throws ReleaseHallError `INVALID_INPUT` for a wrong `EncodingAESKey`.
 */
export function createWechatCrypto(options: WechatCryptoOptions): WechatCrypto {
  const aesKey = deriveAesKey(options.encodingAESKey);
  const { token, appId } = options;
  return {
    msgSignature: (timestamp, nonce, encrypt) =>
      computeSignature([token, timestamp, nonce, encrypt]),
    verifyMsgSignature: (received, timestamp, nonce, encrypt) =>
      signatureMatches(received, [token, timestamp, nonce, encrypt]),
    encrypt: (message, random) =>
      encryptMessage(message, { encodingAESKey: aesKey, appId, random }),
    decrypt: (encrypt) => decryptMessage(encrypt, { encodingAESKey: aesKey, appId }).message,
  };
}
