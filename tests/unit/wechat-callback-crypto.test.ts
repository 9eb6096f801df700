/**
 * Every test vector of platforms.md §1.10 (sets A, B and C), values copied verbatim.
 */
import { describe, expect, it } from 'vitest';
import { ReleaseHallError } from '#core';
import {
  buildEncryptedEnvelope,
  computeSignature,
  createWechatCrypto,
  decryptMessage,
  deriveAesKey,
  encryptMessage,
  parseEncryptedEnvelope,
  parseWechatMessage,
  pkcs7Pad,
  pkcs7Unpad,
  signatureMatches,
} from '../../adapters/wechat/callback/index.js';
import { textMessageXml } from '../../adapters/testing/index.js';

/** Set A — binarywang/WxJava, WxCryptUtilTest.java. */
const A = {
  token: 'pamtest',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wxb11529c136998cb6',
  timestamp: '1409304348',
  nonce: 'xxxxxx',
  random: 'aaaabbbbccccdddd',
  plaintext1: '我是中文abcd123',
  encrypt1:
    'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
  plaintext2:
    '<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>',
  encrypt2:
    'jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb',
  /** Derived values (platforms.md, "Derived from Set A"). */
  aesKeyHex: '69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051',
  ivHex: '69b71d79f8218a39259a7a29aabb2dba',
  msgSignature1: '82c962d39941aa48552f90ef55aa323dc620cc10',
  plainSignature: '76480565cbe296026c53aaacd1ad523a1ddba24f',
  inbound1:
    '<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName><![CDATA[oia2TjjewbmiOUlr6X-1crbLOvLw]]></FromUserName><CreateTime>1409304348</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[1]]></Content><MsgId>1234567890123456</MsgId></xml>',
  inbound1Encrypt:
    'jn1L23DB+6ELqJ+6bruv2+jWF0aP/LKcQULfOBEB3bj4cOAm17U0gcnGqH4QJxccAEL7SpwKVn/+XIhRENnAbbWa0UtqK3s9l/iLnyrCuRyc2dGgyhE3OtaUgtjEX9cnRZ+oWHsNxjunS8M5/GVifTdYp3LIp1dAOMaZGb6s/KhCcl3Ng+HNfgm0d78ANunKloA+BZINVvz+mj121zOX2tDvuDEM76rcAZc9p/22NCWeR52J8vSDS4goqqAIrIMUNyIxGqnVHp+go4tAMVoNT6w3rn/MM2EGAuYyWJzlnxGOLuGdN7ZQ6sSVKbxgWkcVk0IbHtbrFMyTqrDssTWU+XrmMj3zb3BC3bNbUl7vE9i0z/8i8apDOdAJLq1o+O1P941N/kgmwVBejLBRjpodZZZqTkrFRypx4s40Qp83Gek=',
  inbound1MsgSignature: '75c07340bb2a81574dded1878c50de074ba338e4',
} as const;

/** Set B — wechatpy/wechatpy, tests/test_utils.py. */
const B = {
  token: 'test',
  timestamp: '1410685589',
  nonce: 'test',
  signature: 'f21891de399b4e33a1a93c9a7b8a8fffb5a443ff',
  offByOne: 'f21891de399b4e33a1a93c9a7b8a8fffb5a443fe',
} as const;

/** Set C — wechatpy/wechatpy, tests/test_crypto.py (WeCom flavour: the trailing id is the corp id). */
const C = {
  token: '123456',
  encodingAESKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
  corpId: 'wx49f0ab532d5d035a',
  decrypt: {
    timestamp: '1411525903',
    nonce: '461056294',
    msgSignature: '74d92dfeb87ba7c714f89d98870ae5eb62dff26d',
    encrypt:
      'RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=',
  },
  encrypt: {
    random: '1234567890123456',
    timestamp: '1411525903',
    nonce: '461056294',
    /** The reply XML of test_encrypt_message in that file, newlines included. */
    plaintext: `<xml>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[test]]></Content>
<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
<ToUserName><![CDATA[messense]]></ToUserName>
<AgentID>1</AgentID>
<CreateTime>1411525903</CreateTime>
</xml>`,
    expectedEncrypt:
      '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3',
    expectedMsgSignature: '407518b7649e86ef23978113f92d27afa9296533',
  },
  echostr: {
    signature: 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96',
    timestamp: '1411443780',
    nonce: '437374425',
    echostr:
      '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==',
    decrypted: '5927782489442352469',
  },
} as const;

function catchError(run: () => unknown): ReleaseHallError {
  try {
    run();
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ReleaseHallError');
}

describe('set A (WxJava WxCryptUtilTest)', () => {
  const options = { encodingAESKey: A.encodingAESKey, appId: A.appId, random: A.random };

  it('derives the AES key and IV from the EncodingAESKey', () => {
    const { key, iv } = deriveAesKey(A.encodingAESKey);
    expect(key.toString('hex')).toBe(A.aesKeyHex);
    expect(iv.toString('hex')).toBe(A.ivHex);
  });

  it('encrypts plaintext 1 to Encrypt 1 with random aaaabbbbccccdddd', () => {
    expect(encryptMessage(A.plaintext1, options)).toBe(A.encrypt1);
  });

  it('encrypts plaintext 2 to Encrypt 2 with random aaaabbbbccccdddd', () => {
    expect(encryptMessage(A.plaintext2, options)).toBe(A.encrypt2);
  });

  it('decrypts Encrypt 1 and Encrypt 2 back, with the appid and the random prefix', () => {
    const one = decryptMessage(A.encrypt1, { encodingAESKey: A.encodingAESKey, appId: A.appId });
    expect(one.message).toBe(A.plaintext1);
    expect(one.appId).toBe(A.appId);
    expect(one.random.toString('utf8')).toBe(A.random);
    const two = decryptMessage(A.encrypt2, { encodingAESKey: A.encodingAESKey, appId: A.appId });
    expect(two.message).toBe(A.plaintext2);
  });

  it('computes the msg_signature of Encrypt 1', () => {
    expect(computeSignature([A.token, A.timestamp, A.nonce, A.encrypt1])).toBe(A.msgSignature1);
    expect(signatureMatches(A.msgSignature1, [A.token, A.timestamp, A.nonce, A.encrypt1])).toBe(
      true,
    );
  });

  it('computes the plain signature of token/timestamp/nonce', () => {
    expect(computeSignature([A.token, A.timestamp, A.nonce])).toBe(A.plainSignature);
    expect(signatureMatches(A.plainSignature, [A.token, A.timestamp, A.nonce])).toBe(true);
  });

  it('builds the inbound "1" message, encrypts it to its Encrypt and signs it', () => {
    const xml = textMessageXml({
      toUserName: 'gh_7f083739789a',
      fromUserName: 'oia2TjjewbmiOUlr6X-1crbLOvLw',
      createTime: 1409304348,
      content: '1',
      msgId: '1234567890123456',
    });
    expect(xml).toBe(A.inbound1);
    const encrypt = encryptMessage(A.inbound1, options);
    expect(encrypt).toBe(A.inbound1Encrypt);
    expect(computeSignature([A.token, A.timestamp, A.nonce, encrypt])).toBe(A.inbound1MsgSignature);
  });

  it('decrypts the inbound "1" message and parses it, MsgId as a string', () => {
    const crypto = createWechatCrypto(A);
    expect(
      crypto.verifyMsgSignature(A.inbound1MsgSignature, A.timestamp, A.nonce, A.inbound1Encrypt),
    ).toBe(true);
    const message = parseWechatMessage(crypto.decrypt(A.inbound1Encrypt));
    expect(message).toMatchObject({
      kind: 'text',
      toUserName: 'gh_7f083739789a',
      fromUserName: 'oia2TjjewbmiOUlr6X-1crbLOvLw',
      createTime: 1409304348,
      content: '1',
      msgId: '1234567890123456',
    });
  });
});

describe('set B (wechatpy test_utils)', () => {
  it('accepts the plain signature', () => {
    expect(computeSignature([B.token, B.timestamp, B.nonce])).toBe(B.signature);
    expect(signatureMatches(B.signature, [B.token, B.timestamp, B.nonce])).toBe(true);
  });

  it('refuses the signature that is off by one in its last digit', () => {
    expect(signatureMatches(B.offByOne, [B.token, B.timestamp, B.nonce])).toBe(false);
  });

  it('refuses missing, short, long and non-hex signatures without throwing', () => {
    const parts = [B.token, B.timestamp, B.nonce];
    expect(signatureMatches(undefined, parts)).toBe(false);
    expect(signatureMatches('', parts)).toBe(false);
    expect(signatureMatches(B.signature.slice(0, 39), parts)).toBe(false);
    expect(signatureMatches(`${B.signature}0`, parts)).toBe(false);
    expect(signatureMatches(`${B.signature.slice(0, 39)}g`, parts)).toBe(false);
  });
});

describe('set C (wechatpy test_crypto, WeCom flavour: trailing id = corp id)', () => {
  const crypto = createWechatCrypto({
    token: C.token,
    encodingAESKey: C.encodingAESKey,
    appId: C.corpId,
  });

  it('verifies the msg_signature and decrypts the message', () => {
    const { timestamp, nonce, msgSignature, encrypt } = C.decrypt;
    expect(crypto.verifyMsgSignature(msgSignature, timestamp, nonce, encrypt)).toBe(true);
    expect(computeSignature([C.token, timestamp, nonce, encrypt])).toBe(msgSignature);
    const message = parseWechatMessage(crypto.decrypt(encrypt));
    expect(message).toMatchObject({
      kind: 'text',
      content: 'test',
      fromUserName: 'messense',
      toUserName: 'wx49f0ab532d5d035a',
      createTime: 1411525903,
      msgId: '4363689963896700987',
    });
    expect(message.fields.AgentID).toBe('1');
  });

  it('parses the envelope of the decrypt vector', () => {
    const envelope = parseEncryptedEnvelope(
      `<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA[${C.decrypt.encrypt}]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>`,
    );
    expect(envelope.encrypt).toBe(C.decrypt.encrypt);
    expect(envelope.toUserName).toBe('wx49f0ab532d5d035a');
  });

  it('encrypts the reply with random 1234567890123456 to the expected Encrypt and MsgSignature', () => {
    const { random, timestamp, nonce, plaintext, expectedEncrypt, expectedMsgSignature } =
      C.encrypt;
    const encrypt = crypto.encrypt(plaintext, random);
    expect(encrypt).toBe(expectedEncrypt);
    const msgSignature = crypto.msgSignature(timestamp, nonce, encrypt);
    expect(msgSignature).toBe(expectedMsgSignature);
    const envelope = parseEncryptedEnvelope(
      buildEncryptedEnvelope({ encrypt, msgSignature, timeStamp: timestamp, nonce }),
    );
    expect(envelope).toEqual({
      encrypt: expectedEncrypt,
      msgSignature: expectedMsgSignature,
      timeStamp: timestamp,
      nonce,
      toUserName: undefined,
    });
    expect(crypto.decrypt(encrypt)).toBe(plaintext);
  });

  it('checks the WeCom echostr signature and decrypts the echostr', () => {
    const { signature, timestamp, nonce, echostr, decrypted } = C.echostr;
    expect(signatureMatches(signature, [C.token, timestamp, nonce, echostr])).toBe(true);
    // wechatpy's failing case: the nonce one lower.
    expect(signatureMatches(signature, [C.token, timestamp, '437374424', echostr])).toBe(false);
    expect(crypto.decrypt(echostr)).toBe(decrypted);
  });
});

describe('crypto errors', () => {
  it('refuses an EncodingAESKey of the wrong length, without echoing it', () => {
    const error = catchError(() => deriveAesKey('abc'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.platform).toBe('wechat');
    expect(error.message).toMatch(/43 characters, got 3/);
    const long = catchError(() => deriveAesKey(`${A.encodingAESKey}H`));
    expect(long.message).toMatch(/got 44/);
    expect(long.message).not.toContain(A.encodingAESKey);
    expect(catchError(() => deriveAesKey(`${A.encodingAESKey.slice(0, 42)}!`)).code).toBe(
      'INVALID_INPUT',
    );
  });

  it('refuses a message for another appid', () => {
    const error = catchError(() =>
      decryptMessage(A.encrypt1, { encodingAESKey: A.encodingAESKey, appId: 'wx0000000000000000' }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/appid "wxb11529c136998cb6", not for this account's appid/);
    expect(
      decryptMessage(A.encrypt1, { encodingAESKey: A.encodingAESKey, appId: false }).appId,
    ).toBe(A.appId);
  });

  it('refuses bad padding (the wrong key)', () => {
    const error = catchError(() =>
      decryptMessage(A.encrypt1, { encodingAESKey: C.encodingAESKey, appId: A.appId }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/PKCS#7 padding/);
  });

  it('refuses data that is not whole AES blocks or not Base64', () => {
    const options = { encodingAESKey: A.encodingAESKey, appId: A.appId };
    expect(catchError(() => decryptMessage('AAAA', options)).message).toMatch(/AES blocks/);
    expect(catchError(() => decryptMessage('**not base64**', options)).message).toMatch(/Base64/);
  });

  it('pads with block size 32 and checks every pad byte', () => {
    expect(pkcs7Pad(Buffer.alloc(0)).length).toBe(32);
    expect(pkcs7Pad(Buffer.alloc(31)).at(-1)).toBe(1);
    expect(pkcs7Pad(Buffer.alloc(32)).length).toBe(64);
    expect(pkcs7Unpad(pkcs7Pad(Buffer.from('abc'))).toString()).toBe('abc');
    const broken = pkcs7Pad(Buffer.from('abc'));
    broken[broken.length - 2] = 0;
    expect(catchError(() => pkcs7Unpad(broken)).message).toMatch(/inconsistent/);
    expect(catchError(() => pkcs7Unpad(Buffer.from([1, 2, 33]))).code).toBe('INVALID_INPUT');
  });

  it('refuses a random prefix that is not 16 bytes', () => {
    expect(
      catchError(() =>
        encryptMessage('x', { encodingAESKey: A.encodingAESKey, appId: A.appId, random: 'short' }),
      ).message,
    ).toMatch(/16 bytes, got 5/);
  });
});
