/** The benchmark's SageMaker Runtime emulator, in its own process (both routes: InvokeEndpoint and the OpenAI-compatible one). Prints its URL. */
import { SageMakerRuntimeEmulator } from '../local/emulators/sagemaker-runtime.js';
import { benchContainer } from './bench-container.js';

const emulator = new SageMakerRuntimeEmulator();
emulator.recordInvocations = false;
emulator.addEndpoint('bench-fast', benchContainer(8, 0));
emulator.addEndpoint('bench-paced', benchContainer(8, 5));
// 64 chunks: set against bench-fast's 8, the CPU each further chunk costs.
emulator.addEndpoint('bench-long', benchContainer(64, 0));
console.log(JSON.stringify({ url: await emulator.start() }));
