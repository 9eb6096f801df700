import type { HallInput, StatementInput } from 'release-hall';

/** A small hall on the memory platform: a lead and `size` members. */
export function memoryHall(size = 3, platform = 'memory'): HallInput {
  return {
    id: 'test-hall',
    name: '测试发布厅',
    lead: 'lead',
    site: { domain: 'www.example.gov.cn' },
    groups: [
      { id: 'bureaus', name: '委办局' },
      { id: 'districts', name: '区县' },
    ],
    members: [
      {
        id: 'lead',
        name: '测试市人民政府新闻办公室',
        shortName: '测试发布',
        accounts: { [platform]: { handle: '测试发布', credentials: 'cred-lead' } },
      },
      ...Array.from({ length: size }, (_, index) => ({
        id: `m${index + 1}`,
        name: `测试单位${index + 1}`,
        groups: [index % 2 === 0 ? 'bureaus' : 'districts'],
        tags: index === 0 ? ['public-safety'] : [],
        accounts: { [platform]: { handle: `单位${index + 1}`, credentials: `cred-m${index + 1}` } },
      })),
    ],
  };
}

/** A rebuttal statement. */
export const rebuttal: StatementInput = {
  id: 'rumor-test',
  kind: 'rebuttal',
  headline: '网传“地铁今晚全线停运”不实',
  body: '近日，网传本市地铁今晚全线停运。经核实，此为谣言。地铁各线路运营正常。',
  issuer: '测试市交通委员会',
  issuedAt: '2026-11-26T09:30:00+08:00',
  link: 'https://www.example.gov.cn/rumor/20261126.html',
  rumor: '地铁今晚全线停运',
  facts: ['地铁各线路运营正常', '如需了解运营信息，可拨打12345市民服务热线'],
  advice: '请勿信谣传谣，以官方发布为准。',
  keyFacts: ['12345'],
};

/** A credentials source answering every reference with a recognisable secret. */
export const testCredentials = ({ ref }: { ref: string }): Record<string, string> => ({
  access_token: `SECRET-TOKEN-${ref}-0123456789`,
});

/** Retry settings that keep tests fast. */
export const fastRetry = {
  minTimeoutMs: 1,
  maxTimeoutMs: 5,
  randomize: false,
  reconcileDelayMs: 0,
  acceptedPollMs: [1, 1, 1],
  // Tests that kill a run wait for its requests themselves (the sandbox's open connections).
  interruptedSendWaitMs: 0,
};
