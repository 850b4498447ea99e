// Ends the run with the plain "N passed, N failed" line that CI reads, after Jest's own summary.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    console.log(`\n${results.numPassedTests} passed, ${results.numFailedTests}${skipped ? ` failed, ${skipped} skipped` : ' failed'}`);
  }
}
