import { clearRecording, recordingFile } from './recording';

// Each test file records its handlers' AWS calls into its own file (jest runs files in parallel workers),
// replacing what it recorded last time; child processes it starts add theirs beside it.
const { testPath } = expect.getState();
if (testPath) {
  clearRecording(testPath);
  process.env.AWS_CALLS_FILE = recordingFile(testPath);
}
