/** The concrete adapters of a hall: the one place the CLI wires them, as a user would. */
import { type Adapter, ReleaseHallError } from 'release-hall';
import { invalidInput } from 'release-hall/adapter-kit';
import { type TencentAdapterOptions, createTencentAdapter } from 'release-hall/adapters/tencent';
import { type WechatAdapterOptions, createWechatAdapter } from 'release-hall/adapters/wechat';
import { type WeiboAdapterOptions, createWeiboAdapter } from 'release-hall/adapters/weibo';

interface PlatformInput {
  baseURL?: unknown;
  settings?: Record<string, unknown>;
}

/** What a sandbox gives the adapters in place of the hall file's platform settings. */
export interface SandboxWiring {
  readonly baseURLs: Readonly<Record<string, string>>;
  readonly settings: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * Where an adapter option came from in the hall file: `baseURL` from `platforms.<platform>.baseURL`,
 * everything else from `platforms.<platform>.settings`.
 */
function hallPath(platform: string, optionPath: string): string {
  if (optionPath.startsWith('platforms.')) return optionPath;
  if (optionPath === '' || optionPath === '(root)') return `platforms.${platform}.settings`;
  if (optionPath === 'baseURL' || optionPath.startsWith('baseURL.')) {
    return `platforms.${platform}.${optionPath}`;
  }
  return `platforms.${platform}.settings.${optionPath}`;
}

/** Makes one adapter, naming the hall-file path of any bad setting. */
function makeAdapter<T>(platform: string, factory: (options: T) => Adapter, options: T): Adapter {
  try {
    return factory(options);
  } catch (error) {
    if (ReleaseHallError.isInstance(error) && error.code === 'INVALID_INPUT') {
      throw invalidInput(
        'hall',
        error.issues.map((issue) => ({
          path: hallPath(platform, issue.path),
          message: issue.message,
        })),
      );
    }
    throw error;
  }
}

/** Makes the adapters a hall needs, with base URLs and settings from its `platforms` section. */
export function buildAdapters(
  hallData: unknown,
  sandbox?: SandboxWiring,
  extra: { readonly wechat?: Partial<WechatAdapterOptions> } = {},
): Adapter[] {
  const platforms =
    typeof hallData === 'object' && hallData !== null && 'platforms' in hallData
      ? ((hallData as { platforms?: Record<string, PlatformInput> }).platforms ?? {})
      : {};
  const optionsFor = (platform: string): Record<string, unknown> => {
    const given = platforms[platform] ?? {};
    const baseURL =
      sandbox?.baseURLs[platform] ??
      (typeof given.baseURL === 'string' ? given.baseURL : undefined);
    return {
      ...sandbox?.settings[platform],
      ...given.settings,
      ...(baseURL === undefined ? {} : { baseURL }),
    };
  };
  return [
    makeAdapter('weibo', createWeiboAdapter, optionsFor('weibo') as WeiboAdapterOptions),
    makeAdapter('tencent', createTencentAdapter, optionsFor('tencent') as TencentAdapterOptions),
    makeAdapter('wechat', createWechatAdapter, {
      ...(optionsFor('wechat') as WechatAdapterOptions),
      ...extra.wechat,
    }),
  ];
}
