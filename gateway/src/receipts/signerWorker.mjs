// Boots the batch-signing worker thread. The sdk and the gateway are TypeScript sources, so the worker
// registers tsx's loader itself (it does not depend on how the parent was started) and then loads the worker.
import { register } from "tsx/esm/api";

register();
await import("./signerWorkerMain.ts");
