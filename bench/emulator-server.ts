/** The benchmark's SageMaker Runtime emulator, in its own process. Prints its URL. */
import { SageMakerRuntimeEmulator } from '../local/emulators/sagemaker-runtime.js';
import { benchContainer } from './bench-container.js';

const emulator = new SageMakerRuntimeEmulator();
emulator.addEndpoint('bench-fast', benchContainer(8, 0));
emulator.addEndpoint('bench-paced', benchContainer(8, 5));
console.log(JSON.stringify({ url: await emulator.start() }));
