/**
 * The models this gateway serves, read from the on-chain ModelRegistry.
 *
 * A model's public id (what clients send as `model` and what /v1/models lists) is its on-chain name; when two
 * served models share a name, every one of them after the first (lowest id) is listed as `<name>#<modelId>`.
 * `<name>#<modelId>` is accepted for any model.
 */
import type { ChainView } from "./chain/view.js";
import type { ModelState } from "./chain/types.js";

export type CatalogEntry = { publicId: string; model: ModelState };

export class ModelCatalog {
  readonly #view: ChainView;
  readonly #served: Set<string> | undefined;

  constructor(view: ChainView, served?: readonly (string | number)[]) {
    this.#view = view;
    this.#served = served ? new Set(served.map(String)) : undefined;
  }

  isServed(model: ModelState): boolean {
    return !this.#served || this.#served.has(model.name) || this.#served.has(model.modelId.toString());
  }

  /** Whether `requested` names `model` (its name or `<name>#<id>`). */
  static matches(requested: string, model: Pick<ModelState, "name" | "modelId">): boolean {
    return requested === model.name || requested === `${model.name}#${model.modelId}`;
  }

  /** Served models at `block`, with their public ids. */
  async list(block: bigint): Promise<CatalogEntry[]> {
    const models = (await this.#view.models(block)).filter((model) => this.isServed(model));
    const seen = new Set<string>();
    return models.map((model) => {
      const publicId = seen.has(model.name) ? `${model.name}#${model.modelId}` : model.name;
      seen.add(model.name);
      return { publicId, model };
    });
  }

  /** Whether any served model answers to `requested` at `block`. */
  async exists(requested: string, block: bigint): Promise<boolean> {
    return (await this.list(block)).some((entry) => entry.publicId === requested || ModelCatalog.matches(requested, entry.model));
  }
}
