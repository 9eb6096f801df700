/**
 * The CMS adapter at work: the Beijing rumor rebuttal published on two government websites, over
 * real HTTP against the fake CMS on loopback.
 *
 *   npx tsx --conditions=source examples/run-custom-adapter.ts
 *
 * The second website's connection is cut right after its CMS stores the article, so the report
 * shows the core finding the article through `findExisting` instead of posting it twice.
 */
import { fileURLToPath } from 'node:url';
import { createPublisher, formatReport, loadStatementFile } from 'release-hall';
import { createCmsAdapter } from './custom-adapter.js';
import { startCmsServer } from './custom-adapter-server.js';

// A hall of two websites. Each account names its CMS section and a credentials reference; the
// secret itself comes from the resolver below (in production: the environment or a credentials
// file, e.g. RELEASE_HALL_CRED_CMS_JTW__API_KEY).
const hall = {
  id: 'beijing-web',
  name: '北京政府网站群',
  lead: 'beijing-gov',
  // Article titles carry no 【…】 prefix on a website.
  naming: { prefix: '' },
  members: [
    {
      id: 'beijing-gov',
      name: '北京市人民政府',
      accounts: { cms: { handle: '首都之窗', credentials: 'cms-beijing-gov', section: 'zwdt' } },
    },
    {
      id: 'jtw',
      name: '北京市交通委员会',
      accounts: {
        cms: { handle: '北京市交通委员会网站', credentials: 'cms-jtw', section: 'jtw-tzgg' },
      },
    },
  ],
};

// Keys of the fake CMS only; they grant nothing anywhere else.
const apiKeys: Readonly<Record<string, string>> = {
  'cms-beijing-gov': 'demo-key-beijing-gov-0001',
  'cms-jtw': 'demo-key-jtw-0002',
};

const statement = await loadStatementFile(
  fileURLToPath(new URL('beijing-hall/rebuttal.yaml', import.meta.url)),
);
const cms = await startCmsServer({
  editors: [
    { apiKey: apiKeys['cms-beijing-gov'] ?? '', sections: ['zwdt'] },
    { apiKey: apiKeys['cms-jtw'] ?? '', sections: ['jtw-tzgg'] },
  ],
  publicOrigin: 'https://www.beijing.gov.cn',
});
try {
  const publisher = createPublisher({
    hall,
    adapters: [createCmsAdapter({ baseURL: cms.url, siteName: '北京政府网站群 CMS' })],
    credentials: ({ ref }) => {
      const apiKey = apiKeys[ref];
      return apiKey === undefined ? undefined : { api_key: apiKey };
    },
    // The fake CMS indexes an article at once; a real one may need the default 2 s.
    retry: { reconcileDelayMs: 50 },
  });

  cms.inject('drop-after-apply', 'jtw-tzgg');
  console.log(`Publishing "${statement.headline}" to ${publisher.hall.accounts.length} websites\n`);
  const report = await publisher.publish(statement, { mode: 'original' });
  console.log(formatReport(report));

  const live = cms.articles().filter((article) => !article.deleted);
  const creates = cms.requests.filter((request) => request.method === 'POST').length;
  console.log(`\nThe CMS holds ${live.length} articles after ${creates} create requests:`);
  for (const article of live) console.log(`  ${article.section}: ${article.title}  ${article.url}`);
  process.exitCode = report.counts.succeeded === report.counts.total && live.length === 2 ? 0 : 1;
} finally {
  await cms.close();
}
