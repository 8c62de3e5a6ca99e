/** The simulations' error: a short message, the cause attached. */
export class SimulationError extends Error {
  override name = "SimulationError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
  }
}
