// Which renderer an on_model_render job uses: its `provider` option, else the shop default.
// The default is server-wide (there is no per-shop setting yet): STUDIO_DEFAULT_PROVIDER,
// else `fashn` when FASHN_API_KEY is set, else `local`.
import { env } from "~/env.server";
import { fashnProvider } from "./fashn/fashn.server";
import { localProvider } from "./local.server";
import type { ProviderName, RenderProvider } from "./provider";

export { PROVIDER_NAMES, type ProviderName, type RenderProvider, type RenderRequest, type RenderOutput } from "./provider";

const PROVIDERS: Record<ProviderName, RenderProvider> = { local: localProvider, fashn: fashnProvider };

export function providerFor(name: ProviderName): RenderProvider {
  return PROVIDERS[name];
}

/** The renderer a shop's jobs use when they do not choose one. */
export function defaultProviderFor(_shop: string): ProviderName {
  const config = env();
  return config.STUDIO_DEFAULT_PROVIDER ?? (config.FASHN_API_KEY ? "fashn" : "local");
}
