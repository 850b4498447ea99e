/** The memory row's SageMaker Runtime emulator, in its own process: the fuzz run's chat and embedding containers. Prints its URL. */
import { teiContainer } from '../local/emulators/embedding-containers.js';
import { openAIChatContainer } from '../local/emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from '../local/emulators/sagemaker-runtime.js';

const emulator = new SageMakerRuntimeEmulator();
emulator.recordInvocations = false;
emulator.addEndpoint('chat', openAIChatContainer());
emulator.addEndpoint('embed', teiContainer({ maxBatch: 64 }));
console.log(JSON.stringify({ url: await emulator.start() }));
