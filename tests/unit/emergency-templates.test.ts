import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type EmergencyTemplate,
  ReleaseHallError,
  fillEmergencyTemplate,
  lintStatement,
  listEmergencyTemplates,
  loadEmergencyTemplate,
  parseEmergencyTemplate,
  parseStatement,
  renderFullText,
} from 'release-hall';
import { serialiseStatement } from '../../src/cli/commands/new.js';
import { checkValue } from '../../src/emergency/check-value.js';

const templates = await listEmergencyTemplates();
const earthquake = await loadEmergencyTemplate('earthquake');
const now = new Date('2026-11-26T01:45:00Z');

/** Every field's example, or only the required ones'. */
const examples = (template: EmergencyTemplate, only: 'all' | 'required' = 'all') =>
  Object.fromEntries(
    template.fields
      .filter((field) => only === 'all' || field.required)
      .map((field) => [field.name, field.example]),
  );

/** The error a call throws, or a failure when it throws none. */
function thrown(call: () => unknown): ReleaseHallError {
  try {
    call();
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ReleaseHallError, nothing was thrown');
}

async function thrownAsync(call: () => Promise<unknown>): Promise<ReleaseHallError> {
  try {
    await call();
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ReleaseHallError, nothing was thrown');
}

describe('the shipped templates', () => {
  it('are the five kinds, each from its own file', () => {
    expect(templates.map((template) => template.kind)).toEqual([
      'earthquake',
      'flood',
      'public-health',
      'rumor-rebuttal',
      'traffic',
    ]);
    for (const template of templates)
      expect(template.source).toMatch(/templates[/\\][a-z-]+\.yaml$/);
  });

  it('earthquake asks for magnitude, epicentre, depth, time, affected area and advice', () => {
    const required = earthquake.fields.filter((field) => field.required).map((field) => field.name);
    expect(required).toEqual(
      expect.arrayContaining(['magnitude', 'epicentre', 'depth', 'time', 'area', 'advice']),
    );
  });

  describe.each(templates.map((template) => [template.kind, template] as const))(
    '%s',
    (_kind, template) => {
      it('filled with its own examples, the statement passes the schema and the linter with no error', () => {
        const statement = fillEmergencyTemplate(template, examples(template), { now });
        const lint = lintStatement(statement);
        expect(lint.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
        expect(() => parseStatement(statement)).not.toThrow();
        // Every example reached the statement: no placeholder is left, every value is written.
        const text = JSON.stringify(statement);
        expect(text).not.toMatch(/\{\{|\}\}/);
      });

      it('with only its required fields, the statement still passes the linter', () => {
        const statement = fillEmergencyTemplate(template, examples(template, 'required'), { now });
        expect(lintStatement(statement).errors).toBe(0);
        expect(statement.issuedAt).toBe('2026-11-26T09:45:00+08:00');
      });

      it('with nothing given, names every required field with its description and example', () => {
        const error = thrown(() => fillEmergencyTemplate(template, {}, { now }));
        expect(error.code).toBe('INVALID_INPUT');
        const required = template.fields.filter((field) => field.required);
        expect(error.issues.map((issue) => issue.path)).toEqual(
          required.map((field) => field.name),
        );
        for (const field of required) {
          const issue = error.issues.find((found) => found.path === field.name);
          expect(issue?.message).toContain(field.description);
          expect(issue?.message).toContain(`${field.name}=${field.example}`);
        }
      });

      it('written as YAML, reads back as the same statement', () => {
        const statement = fillEmergencyTemplate(template, examples(template), { now });
        expect(parse(serialiseStatement(statement, false))).toEqual(statement);
        expect(JSON.parse(serialiseStatement(statement, true))).toEqual(statement);
      });
    },
  );
});

describe('fillEmergencyTemplate', () => {
  const base = examples(earthquake, 'required');

  it('writes the earthquake statement a press office would', () => {
    const statement = fillEmergencyTemplate(earthquake, base, { now });
    expect(statement).toMatchObject({
      kind: 'announcement',
      urgency: 'urgent',
      headline: '北京市平谷区发生4.5级地震',
      body: '据中国地震台网正式测定，11月26日9时30分在北京市平谷区发生4.5级地震，震源深度10千米。北京城区及周边地区有震感。',
      issuer: '北京市地震局',
      keyFacts: ['4.5级地震', '震源深度10千米'],
    });
    // The optional situation was not given: its fact is left out, not written as "。".
    expect(statement.facts).toBeUndefined();
    const full = renderFullText(parseStatement(statement));
    expect(full).toContain('请广大市民保持冷静');
    expect(full).toContain('2026年11月26日 9时45分');
  });

  it('an optional field given adds its part', () => {
    const statement = fillEmergencyTemplate(
      earthquake,
      { ...base, situation: '目前暂未收到人员伤亡报告', urgency: 'crisis' },
      { now },
    );
    expect(statement.facts).toEqual(['目前暂未收到人员伤亡报告。']);
    expect(statement.urgency).toBe('crisis');
  });

  it('names every missing field, every bad value and every unknown key in one error', () => {
    const error = thrown(() =>
      fillEmergencyTemplate(earthquake, {
        magnitude: '四点五',
        depth: '800',
        time: '2026-02-30 10:00',
        link: 'ftp://example.org/a',
        urgency: 'very',
        magnitud: '4.5',
      }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'advice',
        'area',
        'depth',
        'epicentre',
        'issuer',
        'link',
        'magnitud',
        'magnitude',
        'time',
        'urgency',
      ].sort(),
    );
    expect(byPath.magnitude).toMatch(/expected a number in digits.*got "四点五".*magnitude=4\.5/);
    expect(byPath.depth).toContain('expected at most 700');
    expect(byPath.time).toContain('is not a date and time that exists');
    expect(byPath.link).toContain('expected an absolute http(s) link');
    expect(byPath.urgency).toContain('expected one of routine, urgent, crisis');
    expect(byPath.magnitud).toContain('not a field of the earthquake template');
    expect(byPath.epicentre).toContain('missing: 震中位置');
    // The message lists them too, one per line.
    expect(error.message.split('\n')).toHaveLength(11);
  });

  it('a time without an offset is Beijing time; one with an offset keeps it', () => {
    const local = fillEmergencyTemplate(earthquake, {
      ...base,
      time: '2026-11-26 09:30',
      issuedAt: '2026-11-26T01:50:00Z',
    });
    expect(local.body).toContain('11月26日9时30分');
    expect(local.issuedAt).toBe('2026-11-26T01:50:00Z');
    const utc = fillEmergencyTemplate(earthquake, { ...base, time: '2026-11-26T01:30Z' });
    expect(utc.body).toContain('11月26日9时30分');
  });

  it('full-width digits are digits; numbers may come as numbers', () => {
    const statement = fillEmergencyTemplate(earthquake, { ...base, magnitude: '５.２', depth: 12 });
    expect(statement.headline).toBe('北京市平谷区发生5.2级地震');
    expect(statement.keyFacts).toEqual(['5.2级地震', '震源深度12千米']);
  });

  it('a text loses its closing full stop, so the template punctuation is not doubled', () => {
    const statement = fillEmergencyTemplate(earthquake, {
      ...base,
      advice: ' 请保持冷静。注意余震。 ',
    });
    expect(statement.advice).toBe('请保持冷静。注意余震。');
  });

  it('a value is text in a field, never YAML and never a placeholder', () => {
    const tricky = '北京" ]\nissuer: 假机构';
    const refused = thrown(() => fillEmergencyTemplate(earthquake, { ...base, epicentre: tricky }));
    expect(refused.issues).toEqual([
      expect.objectContaining({
        path: 'epicentre',
        message: expect.stringContaining('one line') as string,
      }),
    ]);

    const epicentre = "平谷区 {{issuer}} '}: [x] # 注释 &a *a !!str";
    const statement = fillEmergencyTemplate(earthquake, { ...base, epicentre });
    expect(statement.headline).toBe(`${epicentre}发生4.5级地震`);
    expect(statement.issuer).toBe('北京市地震局');
    const read = parse(serialiseStatement(statement, false)) as Record<string, unknown>;
    expect(read).toEqual(statement);
    expect(Object.keys(read)).toEqual(Object.keys(statement));
  });

  it('values are normalised to NFC and refused with an invisible or reordering character', () => {
    const decomposed = 'Cafe\u0301区';
    const statement = fillEmergencyTemplate(earthquake, { ...base, epicentre: decomposed });
    expect(statement.headline.startsWith('Caf\u00e9区')).toBe(true);
    const error = thrown(() =>
      fillEmergencyTemplate(earthquake, { ...base, area: '北京\u202E城区', advice: 'a\u0000b' }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['area', 'advice']);
    expect(error.issues[0]?.message).toContain('bidirectional override');
    expect(error.issues[1]?.message).toContain('NUL');
  });

  it('a template that produces what the statement schema refuses is named as the fault', () => {
    const template = parseEmergencyTemplate({
      kind: 'broken',
      title: 'broken',
      fields: [{ name: 'what', description: 'what', example: 'x' }],
      statement: { kind: 'announcement', headline: '{{what}}', body: '{{what}}', issuer: 'x' },
    });
    const error = thrown(() => fillEmergencyTemplate(template, { what: 'x' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('correct the template');
    expect(error.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['statement.issuedAt', 'statement.link']),
    );
  });
});

describe('checkValue', () => {
  const field = (type: 'number' | 'integer' | 'time' | 'url' | 'text') =>
    ({ name: 'x', description: 'x', required: true, type, example: '1' }) as const;

  it.each([
    ['number', '4.5', true],
    ['number', '-1', true],
    ['number', '4.5级', false],
    ['integer', '12', true],
    ['integer', '1.5', false],
    ['time', '2026-11-26T09:30:00+08:00', true],
    ['time', '2026-11-26T09:30+0800', true],
    ['time', '2026-11-26', false],
    ['time', '2026-11-26T24:00', false],
    ['url', 'https://www.beijing.gov.cn/a', true],
    ['url', 'javascript:alert(1)', false],
    ['text', '。', false],
    ['text', '   ', false],
  ] as const)('%s %s → %s', (type, value, ok) => {
    expect(checkValue(field(type), value).ok).toBe(ok);
  });
});

describe('parseEmergencyTemplate', () => {
  it('names every problem of a template file at once', () => {
    const error = thrown(() =>
      parseEmergencyTemplate({
        kind: 'mine',
        title: '我的模板',
        fields: [
          { name: 'a', description: 'a', example: 'x', required: false },
          { name: 'b', description: 'b', example: 'x', default: 'y' },
          { name: 'c', description: 'c', example: 'x', type: 'choice' },
          { name: 'd', description: 'd', example: 'abc', type: 'number' },
          { name: 'unused', description: 'e', example: 'x' },
          { name: 'a', description: 'again', example: 'x', default: '', required: false },
        ],
        statement: {
          kind: 'announcement',
          headline: '{{a}}{{b}}{{c}}{{d}}{{nowhere}}',
          body: '{{a|full}} {{b',
        },
      }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'fields[0].default',
        'fields[1].default',
        'fields[2].choices',
        'fields[3].example',
        'fields[4].name',
        'fields[5].name',
        'statement.headline',
        'statement.body',
      ]),
    );
    expect(error.message).toContain('placeholder {{nowhere}} names no field');
    expect(error.message).toContain('{{a|full}}: a text field takes no format');
    expect(error.message).toContain('holds "{{" or "}}" that is not a placeholder');
  });

  it('refuses what the schema refuses, by path', () => {
    const error = thrown(() => parseEmergencyTemplate({ kind: 'Bad Kind', fields: [] }, 'x.yaml'));
    expect(error.message).toContain('invalid emergency template x.yaml');
    expect(error.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['kind', 'title', 'fields', 'statement']),
    );
  });
});

describe('loadEmergencyTemplate', () => {
  const own = mkdtempSync(join(tmpdir(), 'rh-templates-'));
  writeFileSync(
    join(own, 'earthquake.yaml'),
    [
      'kind: earthquake',
      'title: 本地地震模板',
      'fields:',
      '  - { name: where, description: 地点, example: 平谷区 }',
      'statement:',
      '  kind: announcement',
      "  headline: '{{where}}地震'",
      '  body: x',
    ].join('\n'),
  );
  writeFileSync(join(own, 'misnamed.yaml'), earthquakeText());

  function earthquakeText(): string {
    return 'kind: other\ntitle: t\nfields:\n  - { name: a, description: a, example: x }\nstatement:\n  headline: "{{a}}"\n';
  }

  it('a press office folder comes before the shipped templates', async () => {
    const mine = await loadEmergencyTemplate('earthquake', { directory: own });
    expect(mine.title).toBe('本地地震模板');
    const flood = await loadEmergencyTemplate('flood', { directory: own });
    expect(flood.title).toBe('洪水预警发布');
    await expect(
      loadEmergencyTemplate('flood', { directory: own, shipped: false }),
    ).rejects.toThrow(/no template of kind "flood": use one of earthquake, misnamed/);
  });

  it('a kind must be its file name', async () => {
    const error = await thrownAsync(() => loadEmergencyTemplate('misnamed', { directory: own }));
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: 'kind',
        message: expect.stringContaining('name the file other.yaml') as string,
      }),
    ]);
  });

  it('an unknown kind, or one that is a path, names the kinds there are', async () => {
    for (const kind of ['volcano', '../package', 'earthquake/../x']) {
      const error = await thrownAsync(() => loadEmergencyTemplate(kind));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain(
        'use one of earthquake, flood, public-health, rumor-rebuttal, traffic',
      );
    }
  });

  it('a folder that does not exist is refused', async () => {
    const error = await thrownAsync(() =>
      listEmergencyTemplates({ directory: join(own, 'nowhere') }),
    );
    expect(error.issues[0]?.message).toBe('folder not found: check the path');
  });
});

describe('the template of docs/templates.md', () => {
  const doc = readFileSync(new URL('../../docs/templates.md', import.meta.url), 'utf8');
  const block = /```yaml\n(kind: landslide\n[\s\S]*?)```/u.exec(doc)?.[1];

  it('is read, filled with its own examples and passes the linter', () => {
    expect(block).toBeDefined();
    const template = parseEmergencyTemplate(parse(block ?? ''), 'landslide.yaml');
    const statement = fillEmergencyTemplate(template, examples(template), { now });
    expect(lintStatement(statement).errors).toBe(0);
    expect(statement.headline).toBe('北京市规划和自然资源委员会发布地质灾害气象风险橙色预警');
  });
});
